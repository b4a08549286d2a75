/** `tasks.*`: long work (migrations, backups) as Tasks a reloaded UI can find again. */
import { z } from 'zod';
import { emptyInput, taskIdSchema, taskSnapshotSchema } from '../common.js';

const byId = z.strictObject({ id: taskIdSchema });

export const tasksMethods = {
  'tasks.list': { input: emptyInput, output: z.object({ tasks: z.array(taskSnapshotSchema) }) },
  'tasks.get': { input: byId, output: taskSnapshotSchema },
  'tasks.cancel': { input: byId, output: taskSnapshotSchema },
} as const;
