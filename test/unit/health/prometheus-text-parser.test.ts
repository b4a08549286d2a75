/** The test parser must itself be strict, or the /metrics tests could not fail. */
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-text-parser.js';

describe('parsePrometheusText (strict 0.0.4 text format)', () => {
  it('parses families, escapes, optional trailing comma and timestamps', () => {
    const text = [
      '# A plain comment',
      '# HELP http_requests_total Requests \\\\ by code\\nsecond line',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200",} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.5"} 4773',
      'rpc_duration_seconds_sum 1.7560473e+07',
      'rpc_duration_seconds_count 2693',
      'weird_values{k="a"} NaN',
      'weird_values{k="b"} +Inf',
      'weird_values{k="c"} -Inf',
      '',
    ].join('\n');
    const f = parsePrometheusText(text);
    expect(f.get('http_requests_total')).toMatchObject({
      type: 'counter',
      help: 'Requests \\ by code\nsecond line',
    });
    expect(f.get('http_requests_total')!.samples[0]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'post', code: '200' },
      value: 1027,
      timestamp: 1395066363000,
    });
    expect(f.get('msdos_file_access_time_seconds')!.samples[0]!.labels).toEqual({
      path: 'C:\\DIR\\FILE.TXT',
      error: 'Cannot find file:\n"FILE.TXT"',
    });
    expect(f.get('msdos_file_access_time_seconds')!.type).toBe('untyped');
    expect(f.get('rpc_duration_seconds')!.samples).toHaveLength(3);
    expect(f.get('weird_values')!.samples.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity]);
  });

  it.each([
    ['a 1', /does not end with a line feed/],
    ['a 1\r\n', /carriage return/],
    ['1a 1\n', /invalid metric name "1a"/],
    ['a-b 1\n', /invalid metric name/],
    ['a{1x="v"} 1\n', /invalid label name "1x"/],
    ['a{__x="v"} 1\n', /invalid label name "__x"/],
    ['a{x="v",x="w"} 1\n', /label "x" repeated/],
    ['a{x=v} 1\n', /not quoted/],
    ['a{x="v} 1\n', /unterminated label value/],
    ['a{x="\\t"} 1\n', /invalid escape sequence \\t/],
    ['a{x="v" y="w"} 1\n', /expected , or }/],
    ['a{x="v"}1\n', /no blank between/],
    ['a one\n', /invalid sample value "one"/],
    ['a 0x1F\n', /invalid sample value/],
    ['a 1 2 3\n', /expected a value and an optional timestamp/],
    ['a 1 1.5\n', /invalid timestamp/],
    ['# TYPE a gauge\n# TYPE a gauge\na 1\n', /second TYPE/],
    ['# TYPE a meter\na 1\n', /TYPE for "a" must be one of/],
    ['# TYPE a gauge extra\na 1\n', /TYPE for "a" must be one of/],
    ['# HELP a x\n# HELP a y\na 1\n', /second HELP/],
    ['# HELP a bad \\q\na 1\n', /invalid escape sequence \\q/],
    ['a 1\n# TYPE a gauge\n', /TYPE for "a" after its samples/],
    ['a 1\nb 1\na{x="2"} 1\n', /lines of "a" are not grouped together/],
    ['a{x="1"} 1\na{x="1"} 2\n', /appears twice/],
    ['# TYPE c_total counter\nc_total -1\n', /negative or NaN/],
  ])('rejects %j', (text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(message);
  });

  it('treats the same label set in another order as the same series', () => {
    expect(() => parsePrometheusText('a{x="1",y="2"} 1\na{y="2",x="1"} 1\n')).toThrow(
      /appears twice/,
    );
  });
});
