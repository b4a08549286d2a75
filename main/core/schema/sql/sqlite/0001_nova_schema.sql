-- Nova target schema on SQLite (the embedded profile): the same tables,
-- columns and rules as sql/postgres/0001_nova_schema.sql, in SQLite terms.
-- Applied once by the migration runner, inside a transaction; never edit this
-- file after a release: put changes in a new NNNN_name.sql file.
--
--   boolean   -> INTEGER 0/1 with a CHECK
--   timestamptz -> TEXT, ISO 8601 UTC with milliseconds (what Date#toISOString writes)
--   jsonb     -> TEXT with a json_valid CHECK
--   identity  -> INTEGER PRIMARY KEY AUTOINCREMENT (ids never reused, like the legacy file)
-- Foreign keys are enforced because the store turns on PRAGMA foreign_keys.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT,
  email         TEXT NOT NULL,
  password_hash TEXT,
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  is_default    INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  last_login    TEXT,
  created_at    TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Case-sensitive (BINARY collation) like the legacy index of the same name.
CREATE UNIQUE INDEX idx_users_email ON users (email);
CREATE INDEX idx_users_is_default ON users (is_default);

CREATE TABLE roles (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL UNIQUE,
  description TEXT
);

CREATE TABLE permissions (
  id   INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE role_permissions (
  role_id       INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission_id INTEGER NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
  PRIMARY KEY (role_id, permission_id)
) WITHOUT ROWID;
CREATE INDEX idx_role_permissions_permission_id ON role_permissions (permission_id);

CREATE TABLE user_roles (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, role_id)
) WITHOUT ROWID;
CREATE INDEX idx_user_roles_role_id ON user_roles (role_id);

CREATE TABLE passkeys (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  credential_id TEXT NOT NULL,
  public_key    TEXT NOT NULL,
  counter       INTEGER NOT NULL DEFAULT 0,
  transports    TEXT,
  device_type   TEXT,
  backed_up     INTEGER NOT NULL DEFAULT 0 CHECK (backed_up IN (0, 1)),
  created_at    TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  last_used     TEXT,
  UNIQUE (user_id, credential_id)
);
CREATE INDEX idx_passkeys_user_id ON passkeys (user_id);
CREATE INDEX idx_passkeys_credential_id ON passkeys (credential_id);

CREATE TABLE logs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id     TEXT,
  name          TEXT,
  email         TEXT,
  title         TEXT,
  system        TEXT,
  urgency       TEXT,
  "timestamp"   TEXT,
  email_status  TEXT,
  servicenow_id TEXT
);
CREATE INDEX idx_logs_timestamp ON logs ("timestamp");
CREATE INDEX idx_logs_ticket_id ON logs (ticket_id);

CREATE TABLE config (
  key        TEXT PRIMARY KEY,
  value      TEXT,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE kiosks (
  id              TEXT PRIMARY KEY,
  last_seen       TEXT,
  version         TEXT,
  active          INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
  logo_url        TEXT,
  bg_url          TEXT,
  status_enabled  INTEGER NOT NULL DEFAULT 0 CHECK (status_enabled IN (0, 1)),
  current_status  TEXT,
  open_msg        TEXT,
  closed_msg      TEXT,
  error_msg       TEXT,
  meeting_msg     TEXT,
  brb_msg         TEXT,
  lunch_msg       TEXT,
  unavailable_msg TEXT,
  schedule        TEXT CHECK (schedule IS NULL OR json_valid(schedule)),
  updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX idx_kiosks_active ON kiosks (active);

CREATE TABLE feedback (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT,
  message     TEXT,
  "timestamp" TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE notifications (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  message    TEXT,
  level      TEXT,
  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  type       TEXT NOT NULL DEFAULT 'system',
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX idx_notifications_active ON notifications (active);

CREATE TABLE directory_integrations (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  provider TEXT,
  settings TEXT CHECK (settings IS NULL OR json_valid(settings))
);

CREATE TABLE assets (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT,
  type        TEXT,
  filename    TEXT,
  url         TEXT NOT NULL,
  uploaded_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX idx_assets_type ON assets (type);

CREATE TABLE kiosk_activations (
  id         TEXT PRIMARY KEY,
  code       TEXT NOT NULL,
  qr_code    TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used       INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
  used_at    TEXT,
  created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX idx_kiosk_activations_expires_at ON kiosk_activations (expires_at);

CREATE TABLE sso_configurations (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  provider      TEXT NOT NULL,
  enabled       INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
  configuration TEXT CHECK (configuration IS NULL OR json_valid(configuration)),
  updated_at    TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- One row only: the global PIN and the per-kiosk PIN map.
CREATE TABLE admin_pins (
  id         INTEGER PRIMARY KEY DEFAULT 1 CONSTRAINT admin_pins_single_row CHECK (id = 1),
  global_pin TEXT,
  kiosk_pins TEXT CHECK (kiosk_pins IS NULL OR json_valid(kiosk_pins)),
  updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- updated_at on UPDATE, unless the UPDATE set it itself. The inner UPDATE does
-- not fire the trigger again: recursive_triggers is off (SQLite's default).
CREATE TRIGGER users_set_updated_at AFTER UPDATE ON users
  FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE users SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;
CREATE TRIGGER kiosks_set_updated_at AFTER UPDATE ON kiosks
  FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE kiosks SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;
CREATE TRIGGER notifications_set_updated_at AFTER UPDATE ON notifications
  FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE notifications SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;
CREATE TRIGGER config_set_updated_at AFTER UPDATE ON config
  FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE config SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE key = NEW.key;
END;

-- The legacy seeds, with the legacy ids (1 superadmin, 2 admin, 3 user).
INSERT INTO roles (id, name) VALUES (1, 'superadmin'), (2, 'admin'), (3, 'user');
INSERT INTO permissions (id, name) VALUES
  (1, 'manage_users'),
  (2, 'manage_roles'),
  (3, 'manage_integrations'),
  (4, 'manage_system'),
  (5, 'view_admin_ui'),
  (6, 'manage_admins');
