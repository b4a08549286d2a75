/** `backups.*` handlers. */
import { NovaError } from '../../errors.js';
import type { AppRuntime } from '../app-runtime.js';
import type { Handlers } from '../dispatch.js';

type BackupHandlers = Pick<
  Handlers,
  'backups.list' | 'backups.run' | 'backups.verify' | 'backups.restore' | 'backups.setSchedule'
>;

function notYet(): never {
  throw new NovaError('NOT_INITIALIZED', 'Backups are not available in this build yet.', {
    fix: 'Use a build that includes the backup module.',
  });
}

export function backupsHandlers(_rt: AppRuntime): BackupHandlers {
  return {
    'backups.list': async () => notYet(),
    'backups.run': async () => notYet(),
    'backups.verify': async () => notYet(),
    'backups.restore': async () => notYet(),
    'backups.setSchedule': async () => notYet(),
  };
}
