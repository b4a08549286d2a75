/**
 * Load order: parents before children, so the orphan check of a child can
 * look its parents up among rows already loaded. The plan's explicit `order`
 * comes first; every other table follows in foreign-key order. Among the
 * tables whose parents are loaded, the heaviest goes first — its own rows
 * plus those of every table that waits for it: the largest table starts at
 * once (its indexes and verification then run on the server while the
 * engine converts the smaller ones, instead of after everything else), and
 * a three-row parent of a large child is not left for last. Ties are broken
 * by plan order, so the result is deterministic. A cycle cannot be ordered; its
 * tables keep plan order and the report says so (constraints are created
 * after the load anyway, so the load itself still succeeds).
 */
import type { PlanDecision, ResolvedTable } from './resolved-plan.js';

export function orderTables(
  tables: readonly ResolvedTable[],
  explicit: readonly string[] | undefined,
  decisions: PlanDecision[],
): ResolvedTable[] {
  const bySource = new Map(tables.map((t) => [t.source, t]));
  const parents = parentTables(tables);
  const weights = loadWeights(tables, parents);
  const weight = (t: ResolvedTable): number => weights.get(t)!;

  const placed = new Set<ResolvedTable>();
  const out: ResolvedTable[] = [];
  const place = (t: ResolvedTable): void => {
    placed.add(t);
    out.push(t);
  };
  for (const name of explicit ?? []) {
    const t = bySource.get(name);
    if (t && !placed.has(t)) place(t);
  }
  let remaining = tables.filter((t) => !placed.has(t));
  while (remaining.length > 0) {
    let ready: ResolvedTable | undefined;
    for (const t of remaining)
      if (
        [...parents.get(t)!].every((p) => placed.has(p)) &&
        weight(t) > (ready ? weight(ready) : -1)
      )
        ready = t;
    if (ready) {
      place(ready);
    } else {
      const stuck = remaining[0]!;
      decisions.push({
        table: stuck.source,
        decision: 'note',
        reason: `its foreign keys form a cycle with ${[...parents.get(stuck)!]
          .filter((p) => !placed.has(p))
          .map((p) => p.source)
          .join(', ')}; loaded in plan order`,
      });
      place(stuck);
    }
    remaining = remaining.filter((t) => !placed.has(t));
  }
  return out;
}

/** Each table's parents among `tables`: the tables its foreign keys point at (itself excluded). */
export function parentTables(
  tables: readonly ResolvedTable[],
): Map<ResolvedTable, Set<ResolvedTable>> {
  const byTarget = new Map<string, ResolvedTable>();
  for (const t of tables) if (t.target.kind === 'postgres') byTarget.set(t.target.table, t);
  const parents = new Map<ResolvedTable, Set<ResolvedTable>>();
  for (const t of tables) {
    const set = new Set<ResolvedTable>();
    if (t.target.kind === 'postgres') {
      for (const fk of t.target.foreignKeys) {
        const parent = byTarget.get(fk.references.table);
        if (parent && parent !== t) set.add(parent);
      }
    }
    parents.set(t, set);
  }
  return parents;
}

/** Each table's rows plus the rows of every table that depends on it, directly or not. */
function loadWeights(
  tables: readonly ResolvedTable[],
  parents: ReadonlyMap<ResolvedTable, ReadonlySet<ResolvedTable>>,
): Map<ResolvedTable, number> {
  const children = new Map<ResolvedTable, ResolvedTable[]>(tables.map((t) => [t, []]));
  for (const [child, ps] of parents) for (const p of ps) children.get(p)!.push(child);
  const weights = new Map<ResolvedTable, number>();
  for (const t of tables) {
    const seen = new Set<ResolvedTable>([t]);
    const stack = [t];
    while (stack.length > 0)
      for (const c of children.get(stack.pop()!)!)
        if (!seen.has(c)) {
          seen.add(c);
          stack.push(c);
        }
    weights.set(
      t,
      [...seen].reduce((sum, x) => sum + x.rowCount, 0),
    );
  }
  return weights;
}

/** A foreign key the target schema has, by target table names (child → parent). */
export interface CatalogForeignKey {
  child: string;
  parent: string;
}

/**
 * What a table must wait for when tables load concurrently (job-phases.ts
 * loadAll), beyond its plan foreign keys (parentTables):
 *
 * - foreign keys the target schema has that the plan does not declare
 *   (a plan into an existing schema): the child's orphan check needs its
 *   parent complete, or rows with a parent still loading are rejected;
 * - the tables listed before it in the plan's explicit `order`;
 * - earlier tables loading into the same table or collection: each must see
 *   the rows of the one before as pre-existing, as when tables loaded one
 *   at a time.
 */
export function loadDependencies(
  tables: readonly ResolvedTable[],
  explicit: readonly string[] | undefined,
  catalog: readonly CatalogForeignKey[],
): Map<ResolvedTable, Set<ResolvedTable>> {
  const deps = parentTables(tables);
  const add = (child: ResolvedTable | undefined, parent: ResolvedTable | undefined): void => {
    if (child && parent && child !== parent) deps.get(child)!.add(parent);
  };
  const byTarget = new Map<string, ResolvedTable[]>();
  for (const t of tables) {
    const key =
      t.target.kind === 'postgres' ? `pg:${t.target.table}` : `mongo:${t.target.collection}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), t]);
  }
  for (const fk of catalog)
    for (const child of byTarget.get(`pg:${fk.child}`) ?? [])
      for (const parent of byTarget.get(`pg:${fk.parent}`) ?? []) add(child, parent);
  const listed = (explicit ?? [])
    .map((name) => tables.find((t) => t.source.toLowerCase() === name.toLowerCase()))
    .filter((t): t is ResolvedTable => t !== undefined);
  for (let i = 1; i < listed.length; i++) add(listed[i], listed[i - 1]);
  for (const same of byTarget.values())
    for (let i = 1; i < same.length; i++) add(same[i], same[i - 1]);
  return deps;
}
