/**
 * Transactions on one session. The outermost transaction() is BEGIN … COMMIT
 * on a dedicated connection; transaction() called again inside it becomes a
 * SAVEPOINT on that same connection, as in the SQLite store. Without that a
 * nested transaction would take a second pooled connection: its commit would
 * survive the outer rollback, and waiting on rows the outer one locked (or on
 * a pool slot the outer one holds) would deadlock.
 *
 * Statements sent straight through the store from inside the callback join
 * the transaction too (AsyncLocalStorage tells them apart), again matching
 * SQLite, where they cannot do anything else.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { NovaError } from '../../errors.js';
import type { QueryResult } from '../types.js';
import type { ScriptExecutor, Session } from './postgres-session.js';

interface TxScope {
  /** The store this transaction belongs to (two stores never share scopes). */
  owner: object;
  session: Session;
  parent: TxScope | undefined;
  depth: number;
  active: boolean;
  /** Savepoints form a stack, so nested transactions of one scope run one at a time. */
  children: SerialQueue;
}

class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const scopes = new AsyncLocalStorage<TxScope>();

function isActive(scope: TxScope): boolean {
  for (let s: TxScope | undefined = scope; s; s = s.parent) if (!s.active) return false;
  return true;
}

/** The innermost open transaction of `owner` in the caller's async context. */
export function activeTransaction(owner: object): TxScope | undefined {
  let scope = scopes.getStore();
  while (scope && (scope.owner !== owner || !isActive(scope))) scope = scope.parent;
  return scope;
}

function finishedError(): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    'This transaction has already finished; its executor cannot run more statements.',
    {
      fix: 'Await every tx.query() inside the transaction callback, and use the store for work after it.',
    },
  );
}

/** The `tx` handed to a transaction callback. */
function executorFor(scope: TxScope): ScriptExecutor {
  const ensure = (): void => {
    if (!isActive(scope)) throw finishedError();
  };
  return {
    dialect: 'postgres',
    query: async <R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> => {
      ensure();
      return scope.session.query<R>(sql, params);
    },
    exec: async (sql: string) => {
      ensure();
      return scope.session.exec(sql);
    },
  };
}

/** BEGIN, run `fn`, COMMIT (or ROLLBACK when it throws) on `session`. */
export async function runTransaction<T>(
  owner: object,
  session: Session,
  fn: (tx: ScriptExecutor) => Promise<T>,
): Promise<T> {
  await session.run('BEGIN');
  const scope: TxScope = {
    owner,
    session,
    parent: undefined,
    depth: 0,
    active: true,
    children: new SerialQueue(),
  };
  let result: T;
  try {
    result = await scopes.run(scope, () => fn(executorFor(scope)));
  } catch (err) {
    scope.active = false;
    // If the connection itself is gone the server has rolled back already;
    // the session is then marked broken and destroyed on release.
    await session.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
  scope.active = false;
  const commit = await session.run('COMMIT');
  // COMMIT of a transaction in which a statement failed (and the caller
  // caught the error) does not fail: the server answers ROLLBACK. Reporting
  // success then would hide lost writes.
  if (commit.command === 'ROLLBACK') {
    throw new NovaError(
      'QUERY_FAILED',
      'The transaction was rolled back, not committed: a statement inside it failed earlier.',
      {
        fix: 'Let errors inside transaction() propagate (or use a nested transaction for work that may fail); nothing from this transaction was saved.',
      },
    );
  }
  return result;
}

/** A nested transaction: SAVEPOINT, run `fn`, RELEASE (or roll back to the savepoint when it throws). */
export function runSavepoint<T>(
  parent: TxScope,
  fn: (tx: ScriptExecutor) => Promise<T>,
): Promise<T> {
  return parent.children.run(async () => {
    if (!isActive(parent)) throw finishedError();
    const scope: TxScope = {
      owner: parent.owner,
      session: parent.session,
      parent,
      depth: parent.depth + 1,
      active: true,
      children: new SerialQueue(),
    };
    // Unique along the stack; siblings run one after another, so reusing a depth's name is safe.
    const name = `nova_sp_${scope.depth}`;
    await parent.session.run(`SAVEPOINT ${name}`);
    let result: T;
    try {
      result = await scopes.run(scope, () => fn(executorFor(scope)));
    } catch (err) {
      scope.active = false;
      await parent.session
        .run(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`)
        .catch(() => undefined);
      throw err;
    }
    scope.active = false;
    await parent.session.run(`RELEASE SAVEPOINT ${name}`);
    return result;
  });
}
