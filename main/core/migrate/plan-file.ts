/**
 * Plan files: JSON, or YAML when the optional `js-yaml` package can be loaded
 * (it is not a dependency of the appliance, so JSON is the documented format).
 * Every failure names the file and what to fix — and never quotes the file:
 * the plan path comes from whoever holds the admin token, so an error that
 * echoed a line or the key names of the file would disclose any file this
 * user can read. A file that does not look like a plan is described by its
 * kind only; the detailed entry-by-entry errors are for files that are plans.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { NovaError } from '../errors.js';
import { describeFileKind } from './file-kind.js';
import { parsePlan, type Plan } from './plan-schema.js';

/** Reads and validates a plan file (.json; .yaml/.yml when js-yaml is available). */
export async function loadPlanFile(file: string): Promise<Plan> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Cannot read the migration plan ${file} (${(err as { code?: string }).code ?? String(err)}).`,
      {
        fix: 'Check the path to the plan file.',
        cause: err,
      },
    );
  }
  const ext = extname(file).toLowerCase();
  const yamlFile = ext === '.yaml' || ext === '.yml';
  const text = bytes.toString('utf8');
  let data: unknown;
  try {
    data = yamlFile ? await parseYaml(text, file) : JSON.parse(text);
  } catch (err) {
    if (err instanceof NovaError) throw err;
    throw notAPlan(
      file,
      `${describeFileKind(bytes)} that is not valid ${yamlFile ? 'YAML' : 'JSON'}${syntaxPosition(err, text)}`,
    );
  }
  if (!looksLikePlan(data)) {
    throw notAPlan(file, `${describeFileKind(bytes)} without the plan's "tables" list`);
  }
  return parsePlan(data, `The migration plan ${file}`);
}

/** A plan is an object with a `tables` array; anything else is another kind of file. */
function looksLikePlan(data: unknown): boolean {
  return (
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data) &&
    Array.isArray((data as { tables?: unknown }).tables)
  );
}

function notAPlan(file: string, what: string): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `${file} is not a usable migration plan: it is ${what}.`,
    {
      fix: 'Choose the plan file you wrote for this migration (JSON with a "tables" list), or leave the plan out to use the built-in or automatic one.',
    },
  );
}

/**
 * " (line L, column C)" from a JSON syntax error, computed from the position
 * alone: the parser's own message quotes the text around the error.
 */
function syntaxPosition(err: unknown, text: string): string {
  const at = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  if (!at) return '';
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` (the first error is at line ${line}, column ${column})`;
}

async function parseYaml(text: string, file: string): Promise<unknown> {
  let yaml: { load(text: string): unknown };
  try {
    // A variable specifier keeps TypeScript from requiring types for an optional package.
    const specifier = 'js-yaml';
    yaml = (await import(specifier)) as { load(text: string): unknown };
  } catch (err) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `${file} is YAML, but the YAML reader (js-yaml) is not installed with this appliance.`,
      {
        fix: 'Write the plan as JSON (same structure), or install js-yaml next to the appliance.',
        cause: err,
      },
    );
  }
  return yaml.load(text);
}
