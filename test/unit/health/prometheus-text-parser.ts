/**
 * A strict parser for the Prometheus text exposition format 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats), written for the
 * tests because no parser package is installed. It rejects everything the
 * format forbids rather than guessing, so /metrics output that Prometheus
 * would refuse fails here:
 *
 * - lines end in `\n` (also the last one); no `\r`; blank lines are ignored;
 * - `# HELP name text` escapes `\\` and `\n` only; at most one per family;
 * - `# TYPE name counter|gauge|histogram|summary|untyped`, exactly two
 *   tokens, at most one per family, before the family's first sample;
 * - samples: `name{label="value",…} value [timestamp]`, metric names
 *   `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names `[a-zA-Z_][a-zA-Z0-9_]*` not
 *   starting with `__`, label values escaping `\\`, `\"`, `\n` only, no
 *   repeated label name, values as Go floats or NaN/+Inf/-Inf, timestamps
 *   integers;
 * - all lines of one family form one group; no series appears twice;
 *   counters are never negative.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

export class PrometheusParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  if (text === '') return families;
  if (text.includes('\r'))
    throw new PrometheusParseError(0, 'carriage return found; lines must end in \\n only');
  if (!text.endsWith('\n'))
    throw new PrometheusParseError(0, 'the last line does not end with a line feed');

  const closed = new Set<string>();
  const withSamples = new Set<string>();
  const typeTaken = new Set<string>();
  const series = new Set<string>();
  let current: string | undefined;

  /** Enforces grouping: a family's lines must not resume after another family's. */
  const enter = (family: string, lineNo: number): void => {
    if (family === current) return;
    if (closed.has(family))
      throw new PrometheusParseError(lineNo, `lines of "${family}" are not grouped together`);
    if (current !== undefined) closed.add(current);
    current = family;
  };
  const familyOf = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
    }
    return f;
  };

  const lines = text.slice(0, -1).split('\n');
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) return; // an ordinary comment
      const [, kind, name, rest = ''] = m as unknown as [string, 'HELP' | 'TYPE', string, string?];
      if (!METRIC_NAME.test(name))
        throw new PrometheusParseError(lineNo, `invalid metric name "${name}"`);
      enter(name, lineNo);
      const family = familyOf(name);
      if (kind === 'HELP') {
        if (family.help !== undefined)
          throw new PrometheusParseError(lineNo, `second HELP for "${name}"`);
        family.help = unescape(rest, lineNo, false);
      } else {
        const tokens = rest.split(/[ \t]+/).filter(Boolean);
        if (tokens.length !== 1 || !TYPES.includes(tokens[0] as MetricType))
          throw new PrometheusParseError(
            lineNo,
            `TYPE for "${name}" must be one of ${TYPES.join(', ')}`,
          );
        if (typeTaken.has(name))
          throw new PrometheusParseError(lineNo, `second TYPE for "${name}"`);
        if (withSamples.has(name))
          throw new PrometheusParseError(lineNo, `TYPE for "${name}" after its samples`);
        typeTaken.add(name);
        family.type = tokens[0] as MetricType;
      }
      return;
    }
    const sample = parseSample(line, lineNo);
    const familyName = resolveFamily(sample.name, families);
    enter(familyName, lineNo);
    const family = familyOf(familyName);
    withSamples.add(familyName);
    const key = `${sample.name}{${Object.entries(sample.labels)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    if (series.has(key)) throw new PrometheusParseError(lineNo, `series ${key} appears twice`);
    series.add(key);
    if (family.type === 'counter' && !(sample.value >= 0))
      throw new PrometheusParseError(lineNo, `counter ${sample.name} has a negative or NaN value`);
    family.samples.push(sample);
  });
  return families;
}

/** A histogram's or summary's samples carry suffixes of the family name. */
function resolveFamily(name: string, families: Map<string, MetricFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return name;
}

function parseSample(line: string, lineNo: number): Sample {
  const nameMatch = /^[^{ \t]+/.exec(line);
  const name = nameMatch?.[0] ?? '';
  if (!METRIC_NAME.test(name))
    throw new PrometheusParseError(lineNo, `invalid metric name "${name}"`);
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos += 1;
    for (;;) {
      pos = skipBlanks(line, pos);
      if (line[pos] === '}') {
        pos += 1;
        break;
      }
      const labelMatch = /^[^=\s]+/.exec(line.slice(pos));
      const labelName = labelMatch?.[0] ?? '';
      if (!LABEL_NAME.test(labelName) || labelName.startsWith('__'))
        throw new PrometheusParseError(lineNo, `invalid label name "${labelName}"`);
      if (labelName in labels)
        throw new PrometheusParseError(lineNo, `label "${labelName}" repeated`);
      pos = skipBlanks(line, pos + labelName.length);
      if (line[pos] !== '=')
        throw new PrometheusParseError(lineNo, `expected = after label "${labelName}"`);
      pos = skipBlanks(line, pos + 1);
      if (line[pos] !== '"')
        throw new PrometheusParseError(lineNo, `label "${labelName}" value is not quoted`);
      const end = closingQuote(line, pos + 1, lineNo);
      labels[labelName] = unescape(line.slice(pos + 1, end), lineNo, true);
      pos = skipBlanks(line, end + 1);
      if (line[pos] === ',') {
        pos += 1;
        continue;
      }
      if (line[pos] === '}') {
        pos += 1;
        break;
      }
      throw new PrometheusParseError(lineNo, `expected , or } after label "${labelName}"`);
    }
  }
  const rest = line.slice(pos);
  if (!/^[ \t]/.test(rest))
    throw new PrometheusParseError(lineNo, 'no blank between the series and its value');
  const tokens = rest.trim().split(/[ \t]+/);
  if (tokens.length < 1 || tokens.length > 2)
    throw new PrometheusParseError(lineNo, 'expected a value and an optional timestamp');
  const value = parseValue(tokens[0]!, lineNo);
  const sample: Sample = { name, labels, value };
  if (tokens[1] !== undefined) {
    if (!/^-?\d+$/.test(tokens[1]))
      throw new PrometheusParseError(lineNo, `invalid timestamp "${tokens[1]}"`);
    sample.timestamp = Number(tokens[1]);
  }
  return sample;
}

function skipBlanks(line: string, pos: number): number {
  while (line[pos] === ' ' || line[pos] === '\t') pos += 1;
  return pos;
}

/** Index of the quote closing a label value that starts at `from`, honouring escapes. */
function closingQuote(line: string, from: number, lineNo: number): number {
  for (let i = from; i < line.length; i += 1) {
    if (line[i] === '\\') i += 1;
    else if (line[i] === '"') return i;
  }
  throw new PrometheusParseError(lineNo, 'unterminated label value');
}

function unescape(text: string, lineNo: number, quoteAllowed: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[i + 1];
    i += 1;
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && quoteAllowed) out += '"';
    else throw new PrometheusParseError(lineNo, `invalid escape sequence \\${next ?? ''}`);
  }
  return out;
}

function parseValue(token: string, lineNo: number): number {
  if (token === 'NaN') return NaN;
  if (token === '+Inf' || token === 'Inf') return Infinity;
  if (token === '-Inf') return -Infinity;
  if (!FLOAT.test(token)) throw new PrometheusParseError(lineNo, `invalid sample value "${token}"`);
  return Number(token);
}
