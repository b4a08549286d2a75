/**
 * Load order: parents before children, so the orphan check of a child can
 * look its parents up among rows already loaded. The plan's explicit `order`
 * comes first; every other table follows in foreign-key order, ties broken by
 * plan order so the result is deterministic. A cycle cannot be ordered; its
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
    const ready = remaining.find((t) => [...parents.get(t)!].every((p) => placed.has(p)));
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
