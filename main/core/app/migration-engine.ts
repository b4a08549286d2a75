/**
 * Seam to the migration run engine (SPEC §5.5–5.9: run, resume, verify,
 * report), which is not part of this build yet. The wizard and the handlers
 * are written against this module so wiring the engine in is one change
 * here; until then the run is refused with a clear NOT_INITIALIZED instead
 * of anything that could look like a migration happened.
 */
import { NovaError } from '../errors.js';

export function migrationEngineAvailable(): boolean {
  return false;
}

export function engineNotAvailable(action: 'run' | 'resume'): NovaError {
  return new NovaError(
    'NOT_INITIALIZED',
    `The migration ${action} is not available in this build yet: the run engine (copy, verify, resume) is still being written.`,
    {
      fix: 'The dry run works now and shows every row that would be rejected; run the migration itself once a build with the engine is installed.',
    },
  );
}
