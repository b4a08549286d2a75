/**
 * Where a backup passphrase comes from: the environment variable
 * NOVA_BACKUP_PASSPHRASE, or a hidden prompt on a terminal — never a
 * command-line argument, which every user on the machine can read in `ps`.
 */
import { NovaError } from '../errors.js';

export const PASSPHRASE_ENV = 'NOVA_BACKUP_PASSPHRASE';

/** The passphrase the environment holds (an empty value counts as none). */
export function passphraseFromEnv(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const value = env[PASSPHRASE_ENV];
  return value !== undefined && value !== '' ? value : undefined;
}

export type Prompt = (question: string) => Promise<string>;

export interface PassphraseSources {
  env: Record<string, string | undefined>;
  /** Asks on the terminal; absent when there is none (scripts, services). */
  prompt?: Prompt;
}

/**
 * The passphrase, or undefined when neither source has one. With `confirm`
 * (a new encrypted backup) a prompted passphrase is asked twice, since a
 * typo would make the backup unrecoverable.
 */
export async function obtainPassphrase(
  sources: PassphraseSources,
  confirm = false,
): Promise<string | undefined> {
  const fromEnv = passphraseFromEnv(sources.env);
  if (fromEnv !== undefined) return fromEnv;
  if (!sources.prompt) return undefined;
  const first = await sources.prompt('Backup passphrase: ');
  if (first === '') return undefined;
  if (confirm && (await sources.prompt('Repeat the passphrase: ')) !== first) {
    throw new NovaError('BACKUP_PASSPHRASE', 'The two passphrases differ.', {
      fix: 'Run the command again and type the same passphrase twice.',
    });
  }
  return first;
}

/** A prompt that does not echo, when stdin and stderr are a terminal; undefined otherwise. */
export function terminalPrompt(
  stdin: NodeJS.ReadStream = process.stdin,
  stderr: NodeJS.WriteStream = process.stderr,
): Prompt | undefined {
  if (!stdin.isTTY || !stderr.isTTY) return undefined;
  return (question) =>
    new Promise((resolve, reject) => {
      stderr.write(question);
      stdin.setRawMode(true);
      stdin.setEncoding('utf8');
      stdin.resume();
      let value = '';
      const finish = () => {
        stdin.off('data', onData);
        stdin.setRawMode(false);
        stdin.pause();
        stderr.write('\n');
      };
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            finish();
            resolve(value);
            return;
          }
          if (ch === '\u0003' || ch === '\u0004') {
            finish();
            reject(new NovaError('TASK_CANCELLED', 'Cancelled at the passphrase prompt.'));
            return;
          }
          value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
        }
      };
      stdin.on('data', onData);
    });
}
