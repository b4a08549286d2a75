/**
 * Plan files: JSON, or YAML when the optional `js-yaml` package can be loaded
 * (it is not a dependency of the appliance, so JSON is the documented format).
 * Every failure names the file and what to fix.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { NovaError } from '../errors.js';
import { parsePlan, type Plan } from './plan-schema.js';

/** Reads and validates a plan file (.json; .yaml/.yml when js-yaml is available). */
export async function loadPlanFile(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
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
  let data: unknown;
  try {
    data = ext === '.yaml' || ext === '.yml' ? await parseYaml(text, file) : JSON.parse(text);
  } catch (err) {
    if (err instanceof NovaError) throw err;
    throw new NovaError(
      'INVALID_ARGUMENT',
      `The migration plan ${file} is not valid ${ext === '.json' || ext === '' ? 'JSON' : 'YAML'}: ${(err as Error).message}.`,
      {
        fix: 'Fix the syntax error at the position given, then run the migration again.',
        cause: err,
      },
    );
  }
  return parsePlan(data, `The migration plan ${file}`);
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
