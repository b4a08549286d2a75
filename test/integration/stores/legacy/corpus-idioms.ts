/**
 * The compatibility corpus, continued: the CLI's and the SCIM route's
 * statements, then SQLite functions, idioms and call shapes a legacy
 * application may use even where the Nova API does not.
 */
import { all, each, exec, get, prepareRead, run, serialized, type Step } from './steps.js';

const ISO_NOW = '2025-06-01T12:00:00.123Z';

/** cli.js and the SCIM route. */
export const cliAndScim: Step[] = [
  all('cli-default-admins', 'SELECT email FROM users WHERE is_default = 1'),
  run('cli-password', 'UPDATE users SET passwordHash = ? WHERE email = ? AND is_default = 1', [
    'h3',
    'admin@example.com',
  ]),
  all(
    'cli-list-superadmins',
    `SELECT DISTINCT u.id, u.name, u.email, u.disabled, u.is_default,
             r.name as role
      FROM users u
      LEFT JOIN user_roles ur ON u.id = ur.user_id
      LEFT JOIN roles r ON ur.role_id = r.id
      WHERE u.is_default = 1 AND r.name = 'superadmin'
      ORDER BY u.id`,
  ),
  get(
    'scim-count',
    `SELECT COUNT(DISTINCT u.id) as total FROM users u
      LEFT JOIN user_roles ur ON u.id = ur.user_id
      LEFT JOIN roles r ON ur.role_id = r.id
      WHERE u.disabled = 0`,
  ),
  all(
    'scim-users',
    `SELECT u.*,
             GROUP_CONCAT(r.name) as roles
      FROM users u
      LEFT JOIN user_roles ur ON u.id = ur.user_id
      LEFT JOIN roles r ON ur.role_id = r.id
      WHERE u.disabled = 0
      AND u.email LIKE ? GROUP BY u.id ORDER BY u.created_at DESC LIMIT ? OFFSET ?`,
    ['%example.com', 5, 1],
    { clock: ['created_at'] },
  ),
  get('scim-user-active', 'SELECT * FROM users WHERE id = ? AND disabled = 0', [1]),
  run(
    'scim-create-unknown-columns',
    'INSERT INTO users (id, email, name, auth_method, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ['u-1', 's@example.com', 'S', 'scim', 1, ISO_NOW, ISO_NOW],
  ),
  run(
    'scim-update-unknown-column',
    'UPDATE users SET email = ?, active = ?, updated_at = ? WHERE id = ?',
    ['s@example.com', 1, ISO_NOW, 1],
  ),
];

/** SQLite functions and idioms a legacy application may use. */
export const idioms: Step[] = [
  get('datetime-now', "SELECT datetime('now') AS now", [], { clock: ['now'] }),
  get('date-now', "SELECT date('now') AS today", [], { clock: ['today'] }),
  get(
    'strftime-column',
    "SELECT strftime('%Y-%m-%d %H:%M', timestamp) AS at FROM logs WHERE id = ?",
    [5],
  ),
  get('count-since', "SELECT COUNT(*) FROM logs WHERE timestamp > datetime('now', '-36500 days')"),
  get('ifnull', "SELECT IFNULL(servicenow_id, 'none') AS sn FROM logs WHERE id = ?", [6]),
  get('group-concat-separator', "SELECT GROUP_CONCAT(name, '|') AS names FROM roles WHERE id = 2"),
  get('like-case-insensitive', "SELECT COUNT(*) AS n FROM users WHERE email LIKE 'ADMIN@%'"),
  get('concat', "SELECT name || ' <' || email || '>' AS who FROM users WHERE id = 1"),
  run('update-for-changes', 'UPDATE logs SET email_status = ? WHERE email_status = ?', [
    'fail',
    'pending',
  ]),
  get('changes-function', 'SELECT changes() AS n'),
  get('double-equals', 'SELECT id FROM users WHERE id == 1'),
  get('is-null', 'SELECT COUNT(*) AS n FROM users WHERE last_login IS NULL'),
  get('flag-in-list', 'SELECT COUNT(*) AS n FROM kiosks WHERE active IN (0, 1)'),
  get('flag-sum', 'SELECT SUM(active) AS n FROM kiosks'),
  get('flag-truthy', 'SELECT COUNT(*) AS n FROM kiosks WHERE active'),
  get('unaliased-expression', 'SELECT COUNT(*), 1 + 1 FROM kiosks'),
  get('quoted-alias', 'SELECT email AS "userEmail" FROM users WHERE id = 1'),
  all('quoted-camel-column', 'SELECT id FROM kiosks WHERE "logoUrl" IS NOT NULL ORDER BY id'),
  get('qualified-camel-column', 'SELECT k.currentStatus, k.openMsg FROM kiosks k WHERE k.id = ?', [
    'kiosk-001',
  ]),
  all(
    'order-by-alias',
    'SELECT role_id, COUNT(*) AS userCount FROM user_roles GROUP BY role_id ORDER BY userCount DESC, role_id',
    [],
    {
      distinct: true,
      differs: {
        postgres: 'junction tables merged duplicate pairs, so counts per role can be lower',
        'product-schema': 'junction tables merged duplicate pairs, so counts per role can be lower',
      },
    },
  ),
  get('named-parameters', 'SELECT id FROM users WHERE email = $email', {
    $email: 'admin@example.com',
  }),
  get('named-parameters-in-array', 'SELECT id FROM users WHERE email = $email', [
    { $email: 'admin@example.com' },
  ]),
  get('too-many-parameters', 'SELECT id FROM users WHERE id = ?', [1, 2]),
  get('too-few-parameters', 'SELECT id FROM users WHERE id = ? AND email = ?', [1]),
  get('no-such-column', 'SELECT nope FROM users'),
  get('syntax-error', 'SELEC * FROM users'),
  get('limit-comma', 'SELECT id FROM users ORDER BY id LIMIT 1, 2'),
  each('each-roles', 'SELECT id, name FROM roles ORDER BY id'),
  each('each-error', 'SELECT * FROM no_such_table'),
  prepareRead('prepared-rebind', 'SELECT id, email FROM users WHERE id = ?', [1], [2]),
  exec(
    'exec-script',
    "UPDATE config SET value = 'x' WHERE key = 'helpMessage'; UPDATE config SET value = 'y' WHERE key = 'welcomeMessage'",
  ),
  all(
    'exec-script-result',
    "SELECT key, value FROM config WHERE key IN ('helpMessage', 'welcomeMessage') ORDER BY key",
  ),
  exec(
    'exec-stops-at-error',
    "UPDATE config SET value = 'z' WHERE key = 'helpMessage'; INSERT INTO nope VALUES (1); UPDATE config SET value = 'w' WHERE key = 'helpMessage'",
  ),
  get('exec-partial', "SELECT value FROM config WHERE key = 'helpMessage'"),
  serialized('transaction-commit', [
    ['run', 'BEGIN TRANSACTION', []],
    ['run', "INSERT INTO feedback (name, message, timestamp) VALUES ('tx', 'one', ?)", [ISO_NOW]],
    ['run', 'INSERT INTO roles (id, name) VALUES (1, ?)', ['duplicate id']],
    ['run', 'COMMIT', []],
  ]),
  get('transaction-committed', "SELECT COUNT(*) AS n FROM feedback WHERE name = 'tx'"),
  serialized('transaction-rollback', [
    ['run', 'BEGIN', []],
    ['run', "INSERT INTO feedback (name, message, timestamp) VALUES ('rb', 'one', ?)", [ISO_NOW]],
    ['run', 'ROLLBACK', []],
  ]),
  get('transaction-rolled-back', "SELECT COUNT(*) AS n FROM feedback WHERE name = 'rb'"),
];
