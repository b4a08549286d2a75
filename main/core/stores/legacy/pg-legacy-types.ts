/**
 * Values from PostgreSQL in the shapes node-sqlite3 returned from the legacy
 * file, through type parsers given to the legacy layer's own pool (never the
 * global `pg.types`, so the DatabaseFactory keeps booleans, Dates and objects):
 *
 * | PostgreSQL                | legacy value                                           |
 * | ------------------------- | ------------------------------------------------------ |
 * | boolean                   | 1 / 0                                                  |
 * | bigint, numeric           | number (text beyond 2^53, as exact as it can be)       |
 * | jsonb / json              | the JSON text, compact (`{"a":1}`), as JSON.stringify wrote it |
 * | date                      | `YYYY-MM-DD`                                           |
 * | timestamptz / timestamp   | the text the old API wrote: see formatTimestamp()     |
 */
import pg from 'pg';
import type { FieldDef } from 'pg';
import { rowsFromArrays, type Row } from './driver-common.js';
import type { LegacyView } from './legacy-schema.js';
import type { StatementPlan } from './translate.js';

const OID = {
  bool: 16,
  int8: 20,
  numeric: 1700,
  json: 114,
  jsonb: 3802,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

export const TIMESTAMP_OIDS = new Set<number>([OID.timestamp, OID.timestamptz]);

function toNumber(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) && (Number.isSafeInteger(n) || !/^-?\d+$/.test(text)) ? n : text;
}

/** PostgreSQL's jsonb text (`{"a": 1, "b": [1, 2]}`) without the spaces it adds outside strings. */
export function compactJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch !== ' ' && ch !== '\n' && ch !== '\t' && ch !== '\r') out += ch;
  }
  return out;
}

const identity = (text: string): string => text;

/** The `types` option of the legacy pool. */
export const legacyTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (text: string) => unknown {
    if (format === 'binary') return pg.types.getTypeParser(oid, format);
    switch (oid) {
      case OID.bool:
        return (text: string) => (text === 't' ? 1 : 0);
      case OID.int8:
      case OID.numeric:
        return toNumber;
      case OID.jsonb:
        return compactJson;
      case OID.json:
      case OID.date:
      case OID.timestamp:
      case OID.timestamptz:
        // Timestamps are formatted per column after the query (formatTimestamp).
        return identity;
      default:
        return pg.types.getTypeParser(oid, format);
    }
  },
};

const PG_TS =
  /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::(\d{2}))?)?( BC)?$/;

/**
 * PostgreSQL's timestamp text as the old API had it. The old API wrote two
 * forms: JavaScript's `toISOString()` (`2024-01-02T10:00:00.123Z`) and
 * SQLite's CURRENT_TIMESTAMP (`2024-01-02 10:00:00`, UTC). The migration kept
 * the instant, not the form; the fraction tells them apart again: exactly
 * milliseconds → written by JavaScript → ISO; no fraction → SQLite's form;
 * finer than milliseconds → the server's clock (`now()`, a CURRENT_TIMESTAMP
 * default) → SQLite's form, to the second. The one value this gets wrong is
 * a JavaScript timestamp whose milliseconds were exactly .000 (1 in 1000),
 * shown in SQLite's form (docs/upgrading-nova-api.md).
 */
export function formatTimestamp(text: string): string {
  const m = PG_TS.exec(text);
  if (!m || m[12]) return text; // infinity, BC dates: leave as PostgreSQL wrote them
  const [, y, mo, d, h, mi, s, frac = '', sign, oh = '00', om = '00', os = '00'] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (sign) {
    const offset = (Number(oh) * 3600 + Number(om) * 60 + Number(os)) * 1000;
    ms += sign === '+' ? -offset : offset;
  }
  const micros = frac.padEnd(6, '0');
  const date = new Date(ms + Number(micros.slice(0, 3)));
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999) return text;
  const iso = date.toISOString();
  const javascript = frac !== '' && micros.slice(3) === '000' && micros.slice(0, 3) !== '000';
  return javascript ? iso : iso.slice(0, 19).replace('T', ' ');
}

/** A result column named by the database: its legacy name when it is a renamed column. */
function fieldKey(view: LegacyView, f: FieldDef): string {
  for (const t of view.tables.values()) {
    const c = t.byTarget.get(f.name.toLowerCase());
    if (c && c.target === f.name) return c.legacy;
  }
  return f.name;
}

/**
 * Result rows (arrays, the hidden RETURNING columns already cut off) as
 * node-sqlite3 gave them: keyed by the plan's legacy keys (or the fields'
 * legacy names), timestamps in the text the old API wrote.
 */
export function legacyRows(
  plan: StatementPlan,
  allFields: FieldDef[],
  rows: unknown[][],
  view: LegacyView,
): Row[] {
  const fields = allFields.slice(0, allFields.length - plan.hiddenTrailing);
  const keys =
    plan.keys && plan.keys.length === fields.length
      ? plan.keys
      : fields.map((f) => fieldKey(view, f));
  fields.forEach((f, k) => {
    if (!TIMESTAMP_OIDS.has(f.dataTypeID)) return;
    for (const r of rows) {
      if (typeof r[k] === 'string') r[k] = formatTimestamp(r[k] as string);
    }
  });
  return rowsFromArrays(rows, keys);
}
