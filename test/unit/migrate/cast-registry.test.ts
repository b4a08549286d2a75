/**
 * The cast registry (main/core/migrate/casts/registry.ts) is complete and is
 * what the engine uses: one entry per kind in CAST_KINDS, each with every
 * piece, and castValue / pgColumnType / the COPY text / the verification SQL
 * all read it.
 *
 * The `@ts-expect-error` lines are checked by the compiler (`npm run
 * typecheck`), not by vitest: each one must be an error, so they prove that
 * a registry missing a kind, a definition missing a piece, and a legacy
 * value-kind table missing a kind do not compile.
 */
import { describe, expect, it } from 'vitest';
import {
  CAST_KINDS,
  CASTS,
  castValue,
  pgColumnType,
  toText,
  type CastDefinition,
  type CastKind,
  type CastRegistry,
} from '../../../main/core/migrate/casts/index.js';
import { lineSql } from '../../../main/core/migrate/run/pg-line-sql.js';
import { copyLine, pgText } from '../../../main/core/migrate/run/pg-text.js';
import {
  LEGACY_VALUE_KIND,
  type ValueKind,
} from '../../../main/core/stores/legacy/legacy-schema.js';

describe('cast registry', () => {
  it('has exactly one entry per cast kind', () => {
    expect(Object.keys(CASTS).sort()).toEqual([...CAST_KINDS].sort());
    expect(Object.keys(LEGACY_VALUE_KIND).sort()).toEqual([...CAST_KINDS].sort());
  });

  it('is what castValue, pgColumnType and the COPY text use', () => {
    expect(pgColumnType('real')).toBe('double precision');
    expect(pgColumnType('timestamptz')).toBe('timestamptz');
    expect(castValue('boolean', 'yes')).toEqual({ ok: true, value: true });
    expect(castValue('integer', 2.5)).toMatchObject({ ok: false });
    expect(castValue('integer', 2.5, 'round')).toMatchObject({ ok: true, value: 3 });
    expect(pgText('boolean', false)).toBe('f');
    expect(pgText('bytea', Buffer.from([0, 255]))).toBe('\\x00ff');
    expect(pgText('bytea', new Uint8Array([1, 2]))).toBe('\\x0102');
    // bytea's backslash and a text's tab are escaped in the line; NULL is \N.
    expect(copyLine(['bytea', 'text', 'integer'], [Buffer.from([1]), 'a\tb', null])).toBe(
      '\\\\x01\ta\\tb\t\\N',
    );
  });

  it('gives verification the stored-text form of every kind', () => {
    const sql = lineSql(['"flag"', '"n"', '"doc"'], ['boolean', 'integer', 'jsonb']);
    expect(sql).toContain(`CASE "flag" WHEN true THEN 't' WHEN false THEN 'f' END`);
    expect(sql).toContain(`coalesce(("n")::text, '\\N')`);
    // Only kinds whose text can hold a backslash, tab or line break get the escaping replaces.
    expect(sql).toMatch(/replace\(.*\("doc"\)::text/);
    expect(sql).not.toMatch(/replace\([^)]*"n"/);
  });
});

// Compile-time checks (npm run typecheck). Each line below must fail to compile.

const { bytea: _removed, ...withoutBytea } = CASTS;
// @ts-expect-error a registry without an entry for one kind is not a CastRegistry
const _incomplete: CastRegistry = withoutBytea;

// @ts-expect-error a definition without its verification form (storedText) is incomplete
const _noStoredText: CastDefinition<string> = {
  parse: (v) => toText(v),
  sqlType: 'text',
  pgText: (v) => v,
  mayNeedEscape: true,
};

const { date: _gone, ...legacyWithoutDate } = LEGACY_VALUE_KIND;
// @ts-expect-error the legacy db must say how it shows every kind
const _legacyIncomplete: Record<CastKind, ValueKind> = legacyWithoutDate;

void [_removed, _incomplete, _noStoredText, _gone, _legacyIncomplete];
