/**
 * What kind of MongoDB deployment the store talks to — a replica set (Atlas,
 * a self-run set, even one node), a sharded cluster, or a standalone server
 * (and the test emulator) — because that decides whether it has sessions,
 * and so multi-document transactions and retryable writes. The audit outbox
 * delivers through a majority-acknowledged transaction where there are
 * transactions (an entry acknowledged by a primary alone can be rolled back
 * when that primary fails over, after its outbox row is gone), and one
 * idempotent insert at a time where there are none.
 */
import type { Collection, Db, MongoClient } from 'mongodb';
import type { DriverDoc } from './mongo-values.js';

export interface MongoDeployment {
  kind: 'replica-set' | 'sharded' | 'standalone';
  /** Replica set name. */
  setName?: string;
  /** `host:port` of the primary, when the set has one now. */
  primary?: string;
  /** Every member `hello` lists (data-bearing, passive and arbiters). */
  members: string[];
  /** Logical sessions exist, so transactions and retryable writes do. */
  transactions: boolean;
}

interface HelloReply {
  setName?: string;
  primary?: string;
  hosts?: string[];
  passives?: string[];
  arbiters?: string[];
  msg?: string;
  logicalSessionTimeoutMinutes?: number | null;
}

/** Asks `hello` (legacy `isMaster` on old servers) on any member: it answers even without a primary. */
export async function readDeployment(db: Db): Promise<MongoDeployment> {
  const admin = db.admin();
  const options = { readPreference: 'primaryPreferred' as const };
  const hello = (await admin
    .command({ hello: 1 }, options)
    .catch(() => admin.command({ isMaster: 1 }, options))) as HelloReply;
  const kind = hello.setName ? 'replica-set' : hello.msg === 'isdbgrid' ? 'sharded' : 'standalone';
  return {
    kind,
    ...(hello.setName ? { setName: hello.setName } : {}),
    ...(hello.primary ? { primary: hello.primary } : {}),
    members: [...(hello.hosts ?? []), ...(hello.passives ?? []), ...(hello.arbiters ?? [])],
    transactions: kind !== 'standalone' && typeof hello.logicalSessionTimeoutMinutes === 'number',
  };
}

export interface MemberState {
  name: string;
  /** PRIMARY, SECONDARY, ARBITER, RECOVERING, (not reachable/healthy)… */
  state: string;
  /** Seconds a secondary's applied operations are behind the primary's. */
  lagSeconds?: number;
}

interface StatusReply {
  members?: { name?: string; stateStr?: string; optimeDate?: Date; health?: number }[];
}

/**
 * Each member's state and replication lag from replSetGetStatus. It needs
 * the clusterMonitor role, which an application user often lacks: then
 * undefined, and health shows the member list from `hello` only.
 */
export async function readMemberStates(db: Db): Promise<MemberState[] | undefined> {
  let reply: StatusReply;
  try {
    reply = (await db
      .admin()
      .command({ replSetGetStatus: 1 }, { readPreference: 'primaryPreferred' })) as StatusReply;
  } catch {
    return undefined;
  }
  const members = reply.members ?? [];
  const primary = members.find((m) => m.stateStr === 'PRIMARY')?.optimeDate;
  return members.map((m) => {
    const lag =
      m.stateStr === 'SECONDARY' && primary instanceof Date && m.optimeDate instanceof Date
        ? Math.max(0, (primary.getTime() - m.optimeDate.getTime()) / 1000)
        : undefined;
    return {
      name: m.name ?? '?',
      state: m.health === 0 ? 'unreachable' : (m.stateStr ?? '?'),
      ...(lag !== undefined ? { lagSeconds: lag } : {}),
    };
  });
}

/** "replica set rs0: primary h:27017; members h:27017 PRIMARY, h2:27017 SECONDARY (lag 0 s)". */
export function describeDeployment(d: MongoDeployment, states: MemberState[] | undefined): string {
  if (d.kind === 'standalone') return 'standalone server (no replica set: no transactions)';
  if (d.kind === 'sharded') return 'sharded cluster (through mongos)';
  const members = states
    ? states
        .map(
          (m) =>
            `${m.name} ${m.state}${m.lagSeconds !== undefined ? ` (lag ${m.lagSeconds.toFixed(0)} s)` : ''}`,
        )
        .join(', ')
    : d.members.join(', ');
  return `replica set ${d.setName ?? '?'}: primary ${d.primary ?? 'none'}; members ${members}`;
}

/**
 * Stores each document whose `_id` is not there yet, all of them or none, in
 * one transaction committed with majority write concern. Returns how many
 * were new (the others were delivered before).
 */
export async function insertAbsentInTransaction(
  client: MongoClient,
  coll: Collection<DriverDoc>,
  docs: DriverDoc[],
): Promise<number> {
  const session = client.startSession();
  try {
    let inserted = 0;
    await session.withTransaction(
      async () => {
        const result = await coll.bulkWrite(
          docs.map((doc) => {
            const { _id, ...rest } = doc;
            return {
              updateOne: { filter: { _id }, update: { $setOnInsert: rest }, upsert: true },
            };
          }),
          { session, ordered: true },
        );
        inserted = result.upsertedCount;
      },
      { readConcern: { level: 'majority' }, writeConcern: { w: 'majority' } },
    );
    return inserted;
  } finally {
    await session.endSession();
  }
}
