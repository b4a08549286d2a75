/**
 * The compatibility corpus: the statement shapes the Nova API sends through
 * its `db` (start-up in db.js, the route files, the CLI), written for this
 * suite, plus the SQLite idioms and node-sqlite3 call shapes a legacy
 * application may use even where the Nova API does not. Steps run in order
 * on one database, so later steps see what earlier ones wrote.
 */
import { behaviours } from './corpus-behaviours.js';
import { cliAndScim, idioms } from './corpus-idioms.js';
import { all, get, prepareRun, run, serialized, type Step } from './steps.js';

const ISO_NOW = '2025-06-01T12:00:00.123Z';
/** A JavaScript timestamp whose milliseconds happen to be .000 (1 in 1000). */
const ISO_WHOLE_SECOND = '2025-06-02T08:30:00.000Z';
const JSON_COLS = { json: ['schedule', 'configuration', 'kiosk_pins', 'settings'] };

/** db.js at start-up: schema, column checks, seeds, the default admin. */
const startup: Step[] = [
  run(
    'create-users',
    `CREATE TABLE IF NOT EXISTS users (
      id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, email TEXT UNIQUE, passwordHash TEXT,
      disabled INTEGER DEFAULT 0, is_default INTEGER DEFAULT 0, last_login TEXT,
      created_at TEXT DEFAULT CURRENT_TIMESTAMP)`,
  ),
  run(
    'create-kiosks',
    `CREATE TABLE IF NOT EXISTS kiosks (id TEXT PRIMARY KEY, last_seen TEXT, version TEXT,
      active INTEGER DEFAULT 0, logoUrl TEXT, bgUrl TEXT, statusEnabled INTEGER DEFAULT 0,
      currentStatus TEXT, openMsg TEXT, closedMsg TEXT, errorMsg TEXT, meetingMsg TEXT,
      brbMsg TEXT, lunchMsg TEXT, unavailableMsg TEXT, schedule TEXT)`,
  ),
  run('create-config', 'CREATE TABLE IF NOT EXISTS config (key TEXT PRIMARY KEY, value TEXT)'),
  run(
    'create-passkeys',
    `CREATE TABLE IF NOT EXISTS passkeys (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL,
      credential_id TEXT NOT NULL, public_key TEXT NOT NULL, counter INTEGER DEFAULT 0, transports TEXT,
      device_type TEXT, backed_up INTEGER DEFAULT 0, created_at TEXT DEFAULT CURRENT_TIMESTAMP,
      last_used TEXT, UNIQUE(user_id, credential_id))`,
  ),
  run(
    'create-role-permissions',
    'CREATE TABLE IF NOT EXISTS role_permissions (role_id INTEGER, permission_id INTEGER)',
  ),
  run(
    'create-admin-pins',
    `CREATE TABLE IF NOT EXISTS admin_pins (id INTEGER PRIMARY KEY DEFAULT 1, global_pin TEXT,
      kiosk_pins TEXT, updated_at TEXT DEFAULT CURRENT_TIMESTAMP)`,
  ),
  all('pragma-kiosks', 'PRAGMA table_info(kiosks)', [], { columnsOnly: true }),
  all('pragma-users', 'PRAGMA table_info(users)', [], { columnsOnly: true }),
  all('pragma-notifications', 'PRAGMA table_info(notifications)', [], { columnsOnly: true }),
  all('pragma-unknown', 'PRAGMA table_info(no_such_table)'),
  run('alter-existing-camel', 'ALTER TABLE kiosks ADD COLUMN logoUrl TEXT'),
  run(
    'alter-existing-dq-default',
    'ALTER TABLE notifications ADD COLUMN type TEXT DEFAULT "system"',
  ),
  run('alter-existing-users', 'ALTER TABLE users ADD COLUMN passwordHash TEXT'),
  run('alter-existing-flag', 'ALTER TABLE users ADD COLUMN disabled INTEGER DEFAULT 0'),
  run(
    'mark-default-admin',
    'UPDATE users SET is_default = 1 WHERE email = ? AND is_default IS NOT NULL',
    ['admin@example.com'],
  ),
  run('unique-index', 'CREATE UNIQUE INDEX IF NOT EXISTS idx_users_email ON users(email)'),
  run(
    'seed-role',
    "INSERT OR IGNORE INTO roles (id, name, description) VALUES (1, 'superadmin', 'Super Administrator - Full System Access')",
  ),
  run(
    'seed-permission',
    "INSERT OR IGNORE INTO permissions (id, name) VALUES (6, 'manage_admins')",
  ),
  run(
    'seed-role-permission',
    'INSERT OR IGNORE INTO role_permissions (role_id, permission_id) VALUES (2, 5)',
    [],
    {
      differs: {
        postgres: 'junction tables have no rowid: lastID is not the new row’s',
        'product-schema': 'junction tables have no rowid: lastID is not the new row’s',
      },
    },
  ),
  run(
    'seed-directory',
    "INSERT OR IGNORE INTO directory_integrations (id, provider, settings) VALUES (1, 'mock', '[]')",
  ),
  prepareRun('seed-config', 'INSERT OR IGNORE INTO config (key, value) VALUES (?, ?)', [
    ['logoUrl', '/logo.png'],
    ['organizationName', 'Your Organization'],
    ['statusBrbMsg', 'Be Right Back'],
    [
      'integration_slack',
      JSON.stringify({ enabled: false, config: { webhookUrl: '', channel: '#general' } }),
    ],
  ]),
  get(
    'find-admin',
    `SELECT u.id, u.email FROM users u
      LEFT JOIN user_roles ur ON u.id = ur.user_id
      LEFT JOIN roles r ON ur.role_id = r.id
      WHERE u.email = ? OR (r.name = 'superadmin' AND u.is_default = 1)
      LIMIT 1`,
    ['admin@example.com'],
  ),
  run(
    'assign-superadmin',
    'INSERT OR IGNORE INTO user_roles (user_id, role_id) VALUES (?, 1)',
    [1],
    {
      differs: {
        postgres: 'junction tables have no rowid: lastID is not the new row’s',
        'product-schema': 'junction tables have no rowid: lastID is not the new row’s',
      },
    },
  ),
  run('mark-admin-by-id', 'UPDATE users SET is_default = 1 WHERE id = ?', [1]),
  run(
    'create-admin-again',
    'INSERT INTO users (name, email, passwordHash, is_default) VALUES (?, ?, ?, 1)',
    ['Admin', 'admin@example.com', '$2a$12$hash'],
  ),
];

/** index.js and the route files. */
const routes: Step[] = [
  get('login', 'SELECT * FROM users WHERE email=? AND disabled=0 ORDER BY id DESC', [
    'admin@example.com',
  ]),
  get(
    'login-disabled-or-missing',
    'SELECT * FROM users WHERE email=? AND disabled=0 ORDER BY id DESC',
    ['nobody@example.com'],
  ),
  run('touch-last-login', 'UPDATE users SET last_login = ? WHERE id = ?', [ISO_NOW, 1]),
  get('user-by-id', 'SELECT id, name, email FROM users WHERE id=?', [1]),
  all(
    'user-permissions',
    `SELECT r.name AS role, p.name AS perm
       FROM user_roles ur
       JOIN roles r ON ur.role_id=r.id
       LEFT JOIN role_permissions rp ON r.id=rp.role_id
       LEFT JOIN permissions p ON rp.permission_id=p.id
      WHERE ur.user_id=?`,
    [1],
    { unordered: true, distinct: true },
  ),
  get('dashboard-users', 'SELECT COUNT(*) as userCount FROM users'),
  get('dashboard-kiosks', 'SELECT COUNT(*) as kioskCount FROM kiosks'),
  get('dashboard-logs', 'SELECT COUNT(*) as logCount FROM logs'),
  all('dashboard-activity', 'SELECT * FROM logs ORDER BY timestamp DESC LIMIT 20'),
  all(
    'logs-filtered',
    'SELECT * FROM logs WHERE timestamp >= ? AND timestamp <= ? AND email_status = ? ORDER BY timestamp DESC',
    ['2023-03-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z', 'success'],
  ),
  run(
    'submit-ticket',
    `INSERT INTO logs (ticket_id, name, email, title, system, urgency, timestamp, email_status, servicenow_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      'a1b2c3d4',
      'Ada Lovelace',
      'ada@example.com',
      'Printer jam',
      'Printer',
      'High',
      ISO_NOW,
      'success',
      '',
    ],
    { lastID: true },
  ),
  get('ticket-read-back', 'SELECT * FROM logs WHERE ticket_id = ?', ['a1b2c3d4']),
  run('delete-log', 'DELETE FROM logs WHERE id=?', [3]),
  run('purge-old-logs', 'DELETE FROM logs WHERE timestamp < ?', ['2023-04-01T00:00:00.000Z']),
  all('config-all', 'SELECT key, value FROM config', [], { unordered: true }),
  run(
    'config-upsert-new',
    `INSERT INTO config (key, value) VALUES (?, ?)
    ON CONFLICT(key) DO UPDATE SET value=excluded.value`,
    ['welcomeMessage', 'Hello there'],
  ),
  prepareRun(
    'config-upsert-prepared',
    `INSERT INTO config (key, value) VALUES (?, ?)
     ON CONFLICT(key) DO UPDATE SET value=excluded.value`,
    [
      ['statusEnabled', '1'],
      ['currentStatus', 'open'],
    ],
  ),
  all(
    'status-config',
    "SELECT key, value FROM config WHERE key IN ('statusEnabled', 'currentStatus', 'statusOpenMsg','statusClosedMsg','statusErrorMsg','statusMeetingMsg','statusBrbMsg','statusLunchMsg')",
    [],
    { unordered: true },
  ),
  get(
    'sso-config',
    'SELECT enabled, provider, configuration FROM sso_configurations WHERE id = 1',
    [],
    JSON_COLS,
  ),
  get('scim-config-missing-table', 'SELECT * FROM scim_configurations WHERE id = 1'),
  get('verify-password', "SELECT value FROM config WHERE key='adminPassword'"),
  run(
    'admin-password',
    `INSERT INTO config (key, value) VALUES ('adminPassword', ?)
     ON CONFLICT(key) DO UPDATE SET value=excluded.value`,
    ['$2a$12$newhash'],
  ),
  run(
    'feedback-post',
    'INSERT INTO feedback (name, message, timestamp) VALUES (?, ?, ?)',
    ['Grace', 'Nice kiosk', ISO_NOW],
    { lastID: true },
  ),
  get('last-insert-rowid', 'SELECT last_insert_rowid() AS id'),
  all('feedback-list', 'SELECT * FROM feedback ORDER BY timestamp DESC'),
  all('notifications-list', 'SELECT * FROM notifications ORDER BY created_at DESC'),
  run(
    'notification-post',
    'INSERT INTO notifications (message, level, type, created_at, active) VALUES (?, ?, ?, ?, 1)',
    ['Maintenance tonight', 'info', 'system', ISO_NOW],
    { lastID: true },
  ),
  get('notification-read-back', 'SELECT * FROM notifications WHERE message = ?', [
    'Maintenance tonight',
  ]),
  run('notification-delete', 'DELETE FROM notifications WHERE id=?', [2]),
  run(
    'register-kiosk-new',
    `INSERT INTO kiosks (id, last_seen, version) VALUES (?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET last_seen=excluded.last_seen, version=excluded.version`,
    ['kiosk-new', ISO_NOW, '2.0.0'],
  ),
  run(
    'register-kiosk-existing',
    `INSERT INTO kiosks (id, last_seen, version) VALUES (?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET last_seen=excluded.last_seen, version=excluded.version`,
    ['kiosk-001', ISO_NOW, '2.0.1'],
  ),
  get('kiosk-get', 'SELECT * FROM kiosks WHERE id=?', ['kiosk-001'], JSON_COLS),
  get('kiosk-get-new', 'SELECT * FROM kiosks WHERE id=?', ['kiosk-new'], JSON_COLS),
  all('kiosk-directory-config', "SELECT key, value FROM config WHERE key LIKE 'directory%'", [], {
    unordered: true,
  }),
  run(
    'kiosk-update-coalesce',
    'UPDATE kiosks SET logoUrl=?, bgUrl=?, active=COALESCE(?, active) WHERE id=?',
    ['/k1.png', null, 1, 'kiosk-002'],
  ),
  run(
    'kiosk-update-coalesce-null',
    'UPDATE kiosks SET logoUrl=?, bgUrl=?, active=COALESCE(?, active) WHERE id=?',
    ['/k3.png', '/bg.png', null, 'kiosk-003'],
  ),
  all('kiosks-all', 'SELECT * FROM kiosks', [], { unordered: true, ...JSON_COLS }),
  run('kiosk-set-active', 'UPDATE kiosks SET active=? WHERE id=?', [0, 'kiosk-001']),
  run('kiosk-set-active-boolean', 'UPDATE kiosks SET active=? WHERE id=?', [true, 'kiosk-004']),
  run(
    'kiosk-reset',
    `UPDATE kiosks SET
     active=0,
     statusEnabled=0,
     currentStatus='closed',
     logoUrl=NULL,
     bgUrl=NULL,
     openMsg=NULL,
     closedMsg=NULL,
     errorMsg=NULL,
     schedule=NULL
     WHERE id=?`,
    ['kiosk-003'],
  ),
  run('kiosk-activate', 'UPDATE kiosks SET active=1 WHERE id=?', ['kiosk-003']),
  get(
    'activation-lookup',
    'SELECT * FROM kiosk_activations WHERE code = ? AND expires_at > ? LIMIT 1',
    ['CODE100', '2020-01-01T00:00:00.000Z'],
  ),
  run('activation-mark-used', 'UPDATE kiosk_activations SET used = 1, used_at = ? WHERE id = ?', [
    ISO_NOW,
    'act-1',
  ]),
  run(
    'activation-replace-existing',
    'INSERT OR REPLACE INTO kiosk_activations (id, code, qr_code, expires_at) VALUES (?, ?, ?, ?)',
    ['act-1', 'NEWCODE1', 'data:image/png;base64,NEW', '2030-01-01T10:00:00.250Z'],
  ),
  get('activation-replaced-defaults', 'SELECT * FROM kiosk_activations WHERE id = ?', ['act-1'], {
    clock: ['created_at'],
  }),
  run(
    'activation-replace-new',
    'INSERT OR REPLACE INTO kiosk_activations (id, code, qr_code, expires_at) VALUES (?, ?, ?, ?)',
    ['act-new', 'NEWCODE2', 'data:image/png;base64,NEW2', '2030-01-02T10:00:00.500Z'],
  ),
  run('activation-delete', 'DELETE FROM kiosk_activations WHERE code = ?', ['CODE200']),
  all(
    'activations-current',
    'SELECT * FROM kiosk_activations WHERE expires_at > ? ORDER BY expires_at DESC',
    ['2020-01-01T00:00:00.000Z'],
    { clock: ['created_at'] },
  ),
  run(
    'kiosk-config-update',
    'UPDATE kiosks SET logoUrl=?, statusEnabled=?, schedule=? WHERE id=?',
    ['/cfg.png', 1, JSON.stringify({ enabled: true }), 'kiosk-002'],
  ),
  get('kiosk-config-read', 'SELECT * FROM kiosks WHERE id=?', ['kiosk-002'], JSON_COLS),
  run(
    'kiosk-systems',
    "INSERT INTO config (key, value) VALUES ('kioskSystems', ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
    [JSON.stringify(['Desktop', 'Laptop'])],
  ),
  get('kiosk-systems-read', "SELECT value FROM config WHERE key='kioskSystems'"),
  all(
    'passkeys-list',
    'SELECT id, credential_id, public_key, device_type, backed_up, created_at, last_used FROM passkeys WHERE user_id=?',
    [1],
  ),
  run(
    'passkey-register',
    'INSERT INTO passkeys (user_id, credential_id, public_key, counter, device_type, backed_up, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [2, 'cred-new', 'pk-new', 0, 'multiDevice', 1, ISO_NOW],
    { lastID: true },
  ),
  run(
    'passkey-register-duplicate',
    'INSERT INTO passkeys (user_id, credential_id, public_key, counter, device_type, backed_up, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [2, 'cred-new', 'pk-new', 0, 'multiDevice', 1, ISO_NOW],
  ),
  get('passkey-find', 'SELECT * FROM passkeys WHERE user_id=? AND credential_id=?', [
    2,
    'cred-new',
  ]),
  run('passkey-counter', 'UPDATE passkeys SET counter=?, last_used=? WHERE id=?', [7, ISO_NOW, 1]),
  run('passkey-delete', 'DELETE FROM passkeys WHERE id=? AND user_id=?', [3, 3]),
  all('users-list', 'SELECT id, name, email, disabled, last_login FROM users', [], {
    unordered: true,
  }),
  run(
    'user-create',
    'INSERT INTO users (name, email, passwordHash) VALUES (?, ?, ?)',
    ['New Person', 'new@example.com', 'h'],
    { lastID: true },
  ),
  run('login-whole-second', 'UPDATE users SET last_login = ? WHERE id = ?', [ISO_WHOLE_SECOND, 5]),
  get('login-whole-second-read', 'SELECT last_login FROM users WHERE id = ?', [5], {
    differs: {
      postgres:
        'a toISOString() value with .000 milliseconds reads back in SQLite’s form (YYYY-MM-DD HH:MM:SS): the form is recovered from the fraction',
    },
  }),
  get('user-created-read', 'SELECT * FROM users WHERE email = ?', ['new@example.com'], {
    clock: ['created_at'],
  }),
  run('user-update', 'UPDATE users SET name=?, passwordHash=?, disabled=? WHERE id=?', [
    'Renamed',
    'h2',
    1,
    2,
  ]),
  run('user-update-email-taken', 'UPDATE users SET email=? WHERE id=?', ['admin@example.com', 3]),
  run('user-delete', 'DELETE FROM users WHERE id=?', [4]),
  all('roles-list', 'SELECT * FROM roles ORDER BY name'),
  run(
    'role-create',
    'INSERT INTO roles (name, description) VALUES (?, ?)',
    ['auditor', 'Read only'],
    { lastID: true },
  ),
  run('role-create-duplicate', 'INSERT INTO roles (name, description) VALUES (?, ?)', [
    'auditor',
    'Again',
  ]),
  run('role-update', 'UPDATE roles SET name=?, description=? WHERE id=?', [
    'auditors',
    'Read only',
    4,
  ]),
  serialized('role-delete', [
    ['run', 'DELETE FROM user_roles WHERE role_id=?', [4]],
    ['run', 'DELETE FROM role_permissions WHERE role_id=?', [4]],
    ['run', 'DELETE FROM roles WHERE id=?', [4]],
  ]),
  all('permissions-list', 'SELECT * FROM permissions ORDER BY name'),
  all(
    'role-permissions',
    `SELECT p.* FROM permissions p
     JOIN role_permissions rp ON p.id = rp.permission_id
     WHERE rp.role_id = ?`,
    [2],
    { unordered: true, distinct: true },
  ),
  serialized('role-permissions-replace', [
    ['run', 'DELETE FROM role_permissions WHERE role_id=?', [3]],
    ['run', 'INSERT INTO role_permissions (role_id, permission_id) VALUES (?, ?)', [3, 5]],
  ]),
  all('integrations', 'SELECT key, value FROM config WHERE key LIKE "integration_%"', [], {
    unordered: true,
  }),
  all('assets-list', 'SELECT * FROM assets ORDER BY uploaded_at DESC'),
  run(
    'asset-upload',
    'INSERT INTO assets (name, type, filename, url) VALUES (?, ?, ?, ?)',
    ['Logo', 'logo', 'f.png', '/uploads/f.png'],
    {
      lastID: true,
    },
  ),
  get('asset-read', 'SELECT * FROM assets WHERE url = ?', ['/uploads/f.png'], {
    clock: ['uploaded_at'],
  }),
  run('asset-missing-url', "INSERT INTO assets (name, type, filename) VALUES ('a', 'b', 'c')"),
  run('asset-delete', 'DELETE FROM assets WHERE id = ?', [1]),
  all('directory-integrations', 'SELECT * FROM directory_integrations', [], JSON_COLS),
  get('admin-pins', 'SELECT * FROM admin_pins WHERE id = 1', [], JSON_COLS),
  run(
    'admin-pins-replace',
    'INSERT OR REPLACE INTO admin_pins (id, global_pin, kiosk_pins, updated_at) VALUES (1, ?, ?, CURRENT_TIMESTAMP)',
    ['9999', JSON.stringify({ 'kiosk-002': '1111' })],
  ),
  get(
    'admin-pins-read',
    'SELECT global_pin, kiosk_pins, updated_at FROM admin_pins WHERE id = 1',
    [],
    {
      clock: ['updated_at'],
      ...JSON_COLS,
    },
  ),
  run(
    'sso-replace',
    'INSERT OR REPLACE INTO sso_configurations (id, provider, enabled, configuration, updated_at) VALUES (1, ?, ?, ?, CURRENT_TIMESTAMP)',
    ['saml', 0, JSON.stringify({ saml: { entryPoint: '' } })],
  ),
  get(
    'sso-available',
    'SELECT enabled, configuration FROM sso_configurations WHERE id = 1',
    [],
    JSON_COLS,
  ),
];

export const CORPUS: Step[] = [...startup, ...routes, ...cliAndScim, ...idioms, ...behaviours];
