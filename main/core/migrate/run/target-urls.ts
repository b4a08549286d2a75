/**
 * The migration's target URLs: one is required for each kind of target the
 * plan writes to, with the fix naming the option and variable that give it;
 * and a MongoDB URL as the report shows it (credentials masked).
 */
import { NovaError } from '../../errors.js';

/** The URL for a target the plan writes to; refuses when none was given. */
export function requireUrl(url: string | undefined, kind: 'postgres' | 'mongo'): string {
  if (url) return url;
  throw new NovaError(
    'CONFIG_INVALID',
    kind === 'postgres'
      ? 'There is no PostgreSQL to migrate into: no --postgres-url was given and POSTGRES_URL is not set.'
      : 'There is no MongoDB to migrate into: no --mongo-url was given and MONGODB_URL is not set.',
    {
      fix:
        kind === 'postgres'
          ? 'Pass --postgres-url postgres://user:password@host:5432/nova (or set POSTGRES_URL).'
          : 'Pass --mongo-url mongodb://host:27017/nova (or set MONGODB_URL).',
    },
  );
}
