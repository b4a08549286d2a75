/**
 * What a table waits for when two load at once (loadDependencies): plan
 * foreign keys, foreign keys only the target schema has, the plan's explicit
 * order, and earlier tables loading into the same target.
 */
import { describe, expect, it } from 'vitest';
import { loadDependencies } from '../../../main/core/migrate/load-order.js';
import type { ResolvedTable } from '../../../main/core/migrate/resolved-plan.js';

/** Only the fields loadDependencies reads; the rest of a resolved table does not matter here. */
function table(
  source: string,
  target: { pg: string; references?: string[] } | { mongo: string },
): ResolvedTable {
  return {
    source,
    rowCount: 1,
    target:
      'pg' in target
        ? {
            kind: 'postgres',
            table: target.pg,
            foreignKeys: (target.references ?? []).map((t) => ({
              columns: ['x'],
              references: { table: t, columns: ['id'] },
            })),
          }
        : { kind: 'mongo', collection: target.mongo },
  } as unknown as ResolvedTable;
}

const names = (deps: Map<ResolvedTable, Set<ResolvedTable>>, t: ResolvedTable): string[] =>
  [...deps.get(t)!].map((p) => p.source).sort();

describe('loadDependencies', () => {
  const orgs = table('orgs', { pg: 'orgs' });
  const users = table('users', { pg: 'users', references: ['orgs'] });
  const notes = table('notes', { pg: 'notes' });
  const oldNotes = table('old_notes', { pg: 'notes' });
  const events = table('events', { mongo: 'events' });
  const oldEvents = table('old_events', { mongo: 'events' });
  const all = [orgs, users, notes, oldNotes, events, oldEvents];

  it('plan foreign keys only, when nothing else ties the tables', () => {
    const deps = loadDependencies(all, undefined, []);
    expect(names(deps, users)).toEqual(['orgs']);
    expect(names(deps, orgs)).toEqual([]);
    expect(names(deps, notes)).toEqual([]);
  });

  it('a foreign key only the target schema has makes the child wait for its parent', () => {
    const deps = loadDependencies(all, undefined, [{ child: 'notes', parent: 'users' }]);
    expect(names(deps, notes)).toEqual(['users']);
    expect(names(deps, oldNotes)).toEqual(['notes', 'users']);
  });

  it('the explicit order is a chain, names matched without case', () => {
    const deps = loadDependencies(all, ['EVENTS', 'notes', 'orgs'], []);
    expect(names(deps, notes)).toEqual(['events']);
    expect(names(deps, orgs)).toEqual(['notes']);
  });

  it('tables loading into the same table or collection go one after the other, in plan order', () => {
    const deps = loadDependencies(all, undefined, []);
    expect(names(deps, oldNotes)).toEqual(['notes']);
    expect(names(deps, oldEvents)).toEqual(['events']);
    expect(names(deps, events)).toEqual([]);
  });

  it('a self-reference is no dependency', () => {
    const tree = table('tree', { pg: 'tree', references: ['tree'] });
    const deps = loadDependencies([tree], ['tree'], [{ child: 'tree', parent: 'tree' }]);
    expect(names(deps, tree)).toEqual([]);
  });
});
