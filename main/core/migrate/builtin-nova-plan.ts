/**
 * The built-in plan: the Nova legacy `log.sqlite` (docs/schema.md) onto the
 * PostgreSQL target schema (main/core/schema/sql/postgres/0001_nova_schema.sql;
 * target names, types and NOT NULLs must match it — a test checks them
 * against a real database built from that file).
 *
 * Policy, per kind of column:
 * - 0/1 flags → boolean NOT NULL. Unreadable values reject the row (a guessed
 *   `disabled` could re-enable an account); NULL becomes false, which is how
 *   the legacy API's `if (row.flag)` / `WHERE flag = 1` read it.
 * - text timestamps → timestamptz; an unparseable one becomes NULL with its
 *   original recorded (except NOT NULL kiosk_activations.expires_at: reject).
 * - JSON text → jsonb; invalid JSON becomes NULL with its original recorded
 *   (the application reads these as objects; a JSON string would break it).
 * - junction tables get their composite key, exact duplicates are merged
 *   (the old API's INSERT OR IGNORE on key-less tables duplicated seed rows
 *   on every start), and rows pointing at missing users/roles/permissions are
 *   rejected into the report.
 * - users.email: NOT NULL, and unique case-insensitively (Bob@x.com and
 *   bob@x.com cannot both sign in as the same address); the conflict is
 *   reported, not resolved by guessing.
 * - columns added by later releases may be missing from older files: the
 *   target default applies (`ifMissing: 'target-default'`).
 * - anything not listed (tables added by hand, columns added by a fork) is
 *   never dropped: tables are copied by the automatic planner, columns are kept
 *   in a jsonb `legacy_extra` column.
 */
import type { InspectReport } from './inspect.js';
import { parsePlan, type Plan, type PlanInput } from './plan-schema.js';

type Column = Extract<
  PlanInput['tables'][number]['target'],
  { kind: 'postgres' }
>['columns'][number];
type Options = Omit<Column, 'source' | 'target' | 'type'>;

const col = (
  source: string,
  target: string,
  type: Column['type'],
  options: Options = {},
): Column => ({ source, target, type, ...options });
/** Columns later releases added with ALTER TABLE: absent from older files. */
const LATER: Options = { ifMissing: 'target-default' };
const FLAG: Options = { nullable: false, nullReplacement: false };
const TS: Options = { onInvalid: 'null' };
const JSON_TEXT: Options = { onInvalid: 'null' };
const KEY: Options = { nullable: false };

const id = (type: Column['type'] = 'integer'): Column => col('id', 'id', type, KEY);
const text = (name: string, options: Options = {}): Column => col(name, name, 'text', options);
const ts = (name: string, options: Options = {}): Column =>
  col(name, name, 'timestamptz', { ...TS, ...options });
const flag = (source: string, target = source, options: Options = {}): Column =>
  col(source, target, 'boolean', { ...FLAG, ...options });

const NOVA_PLAN: PlanInput = {
  version: 1,
  name: 'nova-legacy',
  description: 'Nova legacy log.sqlite → PostgreSQL schema 0001_nova_schema',
  unknownTables: 'auto',
  unknownColumns: 'jsonb-extra',
  tables: [
    {
      source: 'roles',
      target: {
        kind: 'postgres',
        table: 'roles',
        columns: [id(), text('name', KEY), text('description', LATER)],
        primaryKey: ['id'],
        uniqueKeys: [{ columns: ['name'] }],
        // The schema migration seeds roles 1–3; the legacy rows (same ids) carry the descriptions.
        onConflict: 'update',
      },
    },
    {
      source: 'permissions',
      target: {
        kind: 'postgres',
        table: 'permissions',
        columns: [id(), text('name', KEY)],
        primaryKey: ['id'],
        uniqueKeys: [{ columns: ['name'] }],
        onConflict: 'update',
      },
    },
    {
      source: 'users',
      target: {
        kind: 'postgres',
        table: 'users',
        columns: [
          id(),
          text('name'),
          text('email', KEY),
          col('passwordHash', 'password_hash', 'text', LATER),
          flag('disabled', 'disabled', LATER),
          flag('is_default', 'is_default', LATER),
          ts('last_login'),
          ts('created_at'),
        ],
        primaryKey: ['id'],
        uniqueKeys: [{ columns: ['email'], normalize: 'lower' }],
      },
    },
    {
      source: 'role_permissions',
      target: {
        kind: 'postgres',
        table: 'role_permissions',
        columns: [
          col('role_id', 'role_id', 'integer', KEY),
          col('permission_id', 'permission_id', 'integer', KEY),
        ],
        primaryKey: ['role_id', 'permission_id'],
        foreignKeys: [
          { columns: ['role_id'], references: { table: 'roles', columns: ['id'] } },
          { columns: ['permission_id'], references: { table: 'permissions', columns: ['id'] } },
        ],
        dedupe: 'exact-duplicates',
      },
    },
    {
      source: 'user_roles',
      target: {
        kind: 'postgres',
        table: 'user_roles',
        columns: [
          col('user_id', 'user_id', 'integer', KEY),
          col('role_id', 'role_id', 'integer', KEY),
        ],
        primaryKey: ['user_id', 'role_id'],
        foreignKeys: [
          { columns: ['user_id'], references: { table: 'users', columns: ['id'] } },
          { columns: ['role_id'], references: { table: 'roles', columns: ['id'] } },
        ],
        dedupe: 'exact-duplicates',
      },
    },
    {
      source: 'passkeys',
      ifMissing: 'skip',
      target: {
        kind: 'postgres',
        table: 'passkeys',
        columns: [
          id(),
          col('user_id', 'user_id', 'integer', KEY),
          text('credential_id', KEY),
          text('public_key', KEY),
          // WebAuthn counters are whole numbers; 3.5 is corrupt data and is rejected, not rounded.
          col('counter', 'counter', 'bigint', { nullable: false, nullReplacement: 0 }),
          text('transports'),
          text('device_type'),
          flag('backed_up'),
          ts('created_at'),
          ts('last_used'),
        ],
        primaryKey: ['id'],
        uniqueKeys: [{ columns: ['user_id', 'credential_id'] }],
        foreignKeys: [{ columns: ['user_id'], references: { table: 'users', columns: ['id'] } }],
      },
    },
    {
      source: 'logs',
      target: {
        kind: 'postgres',
        table: 'logs',
        columns: [
          id('bigint'),
          text('ticket_id'),
          text('name'),
          text('email'),
          text('title'),
          text('system'),
          text('urgency'),
          ts('timestamp'),
          text('email_status'),
          text('servicenow_id', LATER),
        ],
        primaryKey: ['id'],
      },
    },
    {
      source: 'config',
      target: {
        kind: 'postgres',
        table: 'config',
        columns: [text('key', KEY), text('value')],
        primaryKey: ['key'],
      },
    },
    {
      source: 'kiosks',
      target: {
        kind: 'postgres',
        table: 'kiosks',
        columns: [
          text('id', KEY),
          ts('last_seen'),
          text('version'),
          flag('active', 'active', LATER),
          col('logoUrl', 'logo_url', 'text', LATER),
          col('bgUrl', 'bg_url', 'text', LATER),
          flag('statusEnabled', 'status_enabled', LATER),
          col('currentStatus', 'current_status', 'text', LATER),
          col('openMsg', 'open_msg', 'text', LATER),
          col('closedMsg', 'closed_msg', 'text', LATER),
          col('errorMsg', 'error_msg', 'text', LATER),
          col('meetingMsg', 'meeting_msg', 'text', LATER),
          col('brbMsg', 'brb_msg', 'text', LATER),
          col('lunchMsg', 'lunch_msg', 'text', LATER),
          col('unavailableMsg', 'unavailable_msg', 'text', LATER),
          col('schedule', 'schedule', 'jsonb', { ...JSON_TEXT, ...LATER }),
        ],
        primaryKey: ['id'],
      },
    },
    {
      source: 'feedback',
      target: {
        kind: 'postgres',
        table: 'feedback',
        columns: [id(), text('name'), text('message'), ts('timestamp')],
        primaryKey: ['id'],
      },
    },
    {
      source: 'notifications',
      target: {
        kind: 'postgres',
        table: 'notifications',
        columns: [
          id(),
          text('message'),
          text('level'),
          flag('active', 'active', LATER),
          ts('created_at', LATER),
          // The legacy default was "system"; a NULL type gets it too.
          text('type', { nullable: false, nullReplacement: 'system', ...LATER }),
        ],
        primaryKey: ['id'],
      },
    },
    {
      source: 'directory_integrations',
      target: {
        kind: 'postgres',
        table: 'directory_integrations',
        columns: [id(), text('provider'), col('settings', 'settings', 'jsonb', JSON_TEXT)],
        primaryKey: ['id'],
      },
    },
    {
      source: 'assets',
      ifMissing: 'skip',
      target: {
        kind: 'postgres',
        table: 'assets',
        columns: [
          id(),
          text('name'),
          text('type'),
          text('filename'),
          text('url', KEY),
          ts('uploaded_at'),
        ],
        primaryKey: ['id'],
      },
    },
    {
      source: 'kiosk_activations',
      ifMissing: 'skip',
      target: {
        kind: 'postgres',
        table: 'kiosk_activations',
        columns: [
          text('id', KEY),
          text('code', KEY),
          text('qr_code', KEY),
          // NOT NULL: an activation without a readable expiry is rejected, never made eternal.
          col('expires_at', 'expires_at', 'timestamptz', { nullable: false }),
          flag('used'),
          ts('used_at'),
          ts('created_at'),
        ],
        primaryKey: ['id'],
      },
    },
    {
      source: 'sso_configurations',
      ifMissing: 'skip',
      target: {
        kind: 'postgres',
        table: 'sso_configurations',
        columns: [
          id(),
          text('provider', KEY),
          flag('enabled'),
          col('configuration', 'configuration', 'jsonb', JSON_TEXT),
          ts('updated_at'),
        ],
        primaryKey: ['id'],
      },
    },
    {
      source: 'admin_pins',
      ifMissing: 'skip',
      target: {
        kind: 'postgres',
        table: 'admin_pins',
        columns: [
          // The target allows only the single row id = 1 (CHECK admin_pins_single_row).
          col('id', 'id', 'integer', { nullable: false, allowedValues: [1] }),
          text('global_pin'),
          col('kiosk_pins', 'kiosk_pins', 'jsonb', JSON_TEXT),
          ts('updated_at'),
        ],
        primaryKey: ['id'],
      },
    },
  ],
};

/** The built-in plan, validated when this module loads. */
export const novaLegacyPlan: Plan = parsePlan(NOVA_PLAN, 'The built-in Nova plan');

/** The source tables every Nova legacy file has had since the first release. */
const NOVA_CORE_TABLES: Record<string, string[]> = {
  users: ['id', 'email'],
  logs: ['id', 'ticket_id'],
  config: ['key', 'value'],
  kiosks: ['id'],
};

/** True when `report` looks like a Nova legacy file, so the built-in plan applies rather than an automatic one. */
export function isNovaLegacyDatabase(report: InspectReport): boolean {
  return Object.entries(NOVA_CORE_TABLES).every(([table, columns]) => {
    const info = report.tables.find((t) => t.name.toLowerCase() === table);
    return (
      info !== undefined &&
      columns.every((c) => info.columns.some((x) => x.name.toLowerCase() === c))
    );
  });
}
