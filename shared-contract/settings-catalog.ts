/**
 * Every setting as a person meets it on the Settings screen: a label, one
 * line saying what it does, the kind of control, its unit and limits, and
 * the group it belongs to (Connections, Backups, Advanced). The keys are the
 * configuration's (main/core/config/schema.ts); a unit test proves that
 * every key has an entry here, so a new setting cannot appear as a bare
 * variable name. Pure data, shared by main (settings.get) and the renderer.
 */

export type SettingGroup = 'connections' | 'backups' | 'advanced';

export const SETTING_GROUPS: { id: SettingGroup; label: string; description: string }[] = [
  {
    id: 'connections',
    label: 'Connections',
    description: 'How Nova reaches its databases. Where each one runs is chosen in Setup.',
  },
  {
    id: 'backups',
    label: 'Backups',
    description: 'Where backups go, how often they run, how many are kept, and the trial restores.',
  },
  {
    id: 'advanced',
    label: 'Advanced',
    description: 'Tuning and troubleshooting. The defaults suit most sites.',
  },
];

export type SettingControl =
  | { kind: 'text'; placeholder?: string }
  | { kind: 'path'; placeholder?: string }
  | { kind: 'number'; unit: string; min: number; max?: number; step?: number; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'choice'; options: { value: string; label: string }[] };

export interface SettingInfo {
  label: string;
  description: string;
  group: SettingGroup;
  control: SettingControl;
  /** Changed in Setup, not here (profiles and connection URLs). */
  setupOnly?: boolean;
}

const ms = (min: number, max?: number): SettingControl => ({
  kind: 'number',
  unit: 'ms',
  min,
  ...(max !== undefined ? { max } : {}),
  step: 100,
  integer: true,
});
const count = (min: number, max?: number, unit = ''): SettingControl => ({
  kind: 'number',
  unit,
  min,
  ...(max !== undefined ? { max } : {}),
  step: 1,
  integer: true,
});
const port: SettingControl = {
  kind: 'number',
  unit: '',
  min: 1,
  max: 65535,
  step: 1,
  integer: true,
};
const profileChoice: SettingControl = {
  kind: 'choice',
  options: [
    { value: 'embedded', label: 'Embedded' },
    { value: 'docker', label: 'Docker' },
    { value: 'native', label: 'Native' },
    { value: 'external', label: 'External' },
  ],
};

export const SETTINGS_CATALOG: Record<string, SettingInfo> = {
  NOVA_DATA_DIR: {
    label: 'Data folder',
    description: 'Where databases, settings, logs and backups live. Chosen when Nova starts.',
    group: 'advanced',
    control: { kind: 'path' },
  },
  NOVA_PROFILE: {
    label: 'Default place for all services',
    description: 'Used for every service that has no choice of its own in Setup.',
    group: 'connections',
    control: profileChoice,
    setupOnly: true,
  },
  NOVA_POSTGRES_PROFILE: {
    label: 'PostgreSQL runs',
    description: 'Embedded (SQLite file), Docker, native or an external server.',
    group: 'connections',
    control: profileChoice,
    setupOnly: true,
  },
  NOVA_MONGO_PROFILE: {
    label: 'MongoDB runs',
    description: 'Embedded (stored with the relational data), Docker, native or external.',
    group: 'connections',
    control: profileChoice,
    setupOnly: true,
  },
  NOVA_REDIS_PROFILE: {
    label: 'Redis runs',
    description: 'Embedded (in-process cache), Docker, native or an external server.',
    group: 'connections',
    control: profileChoice,
    setupOnly: true,
  },
  NOVA_HOST: {
    label: 'Admin address',
    description:
      'Network address the headless admin UI listens on. Keep 127.0.0.1 unless a proxy needs more.',
    group: 'advanced',
    control: { kind: 'text', placeholder: '127.0.0.1' },
  },
  NOVA_PORT: {
    label: 'Admin port',
    description: 'Port of the headless admin UI, /health and /metrics.',
    group: 'advanced',
    control: port,
  },
  NOVA_LOG_LEVEL: {
    label: 'Log detail',
    description: 'How much Nova writes to its log. Applies at once.',
    group: 'advanced',
    control: {
      kind: 'choice',
      options: [
        { value: 'error', label: 'Errors only' },
        { value: 'warn', label: 'Warnings and errors' },
        { value: 'info', label: 'Normal' },
        { value: 'debug', label: 'Everything (troubleshooting)' },
      ],
    },
  },
  SQLITE_FILE: {
    label: 'Embedded database file',
    description:
      'The SQLite file of the embedded setup; relative paths are inside the data folder.',
    group: 'connections',
    control: { kind: 'path', placeholder: 'nova.sqlite' },
  },
  SQLITE_BUSY_TIMEOUT_MS: {
    label: 'Embedded database wait',
    description: 'How long a write waits for another writer before giving up.',
    group: 'advanced',
    control: ms(0),
  },
  NOVA_CACHE_MAX_ENTRIES: {
    label: 'In-process cache size',
    description: 'Most entries the embedded cache keeps before dropping the oldest.',
    group: 'advanced',
    control: count(1, undefined, 'entries'),
  },
  POSTGRES_URL: {
    label: 'PostgreSQL connection',
    description: 'The external PostgreSQL server. Change it in Setup.',
    group: 'connections',
    control: { kind: 'text' },
    setupOnly: true,
  },
  POSTGRES_POOL_MAX: {
    label: 'PostgreSQL connections',
    description: 'Most connections Nova opens to PostgreSQL at once.',
    group: 'connections',
    control: count(1, 1000, 'connections'),
  },
  POSTGRES_IDLE_TIMEOUT_MS: {
    label: 'PostgreSQL idle close',
    description: 'An unused connection is closed after this long.',
    group: 'advanced',
    control: ms(0),
  },
  POSTGRES_CONNECT_TIMEOUT_MS: {
    label: 'PostgreSQL connect wait',
    description: 'How long to wait for PostgreSQL to answer before reporting it down.',
    group: 'connections',
    control: ms(1),
  },
  POSTGRES_STATEMENT_TIMEOUT_MS: {
    label: 'PostgreSQL query limit',
    description: 'A query running longer than this is stopped; 0 means no limit.',
    group: 'advanced',
    control: ms(0),
  },
  POSTGRES_SSL: {
    label: 'PostgreSQL encryption',
    description: 'Whether the connection to an external PostgreSQL is encrypted and checked.',
    group: 'connections',
    control: {
      kind: 'choice',
      options: [
        { value: 'disable', label: 'Off' },
        { value: 'require', label: 'Encrypted' },
        { value: 'verify-full', label: 'Encrypted, certificate checked' },
      ],
    },
  },
  POSTGRES_SSL_CA: {
    label: 'PostgreSQL certificate authority',
    description: 'CA certificate file used to check the server when the certificate is checked.',
    group: 'connections',
    control: { kind: 'path', placeholder: '/etc/ssl/certs/db-ca.pem' },
  },
  MONGODB_URL: {
    label: 'MongoDB connection',
    description: 'The external MongoDB server. Change it in Setup.',
    group: 'connections',
    control: { kind: 'text' },
    setupOnly: true,
  },
  MONGODB_DB: {
    label: 'MongoDB database',
    description: 'Name of the database that holds Nova’s documents.',
    group: 'connections',
    control: { kind: 'text', placeholder: 'nova' },
  },
  MONGODB_POOL_MAX: {
    label: 'MongoDB connections',
    description: 'Most connections Nova opens to MongoDB at once.',
    group: 'connections',
    control: count(1, 1000, 'connections'),
  },
  MONGODB_CONNECT_TIMEOUT_MS: {
    label: 'MongoDB connect wait',
    description: 'How long to wait for MongoDB to answer before reporting it down.',
    group: 'connections',
    control: ms(1),
  },
  MONGODB_TLS: {
    label: 'MongoDB encryption',
    description: 'Encrypt the connection to an external MongoDB.',
    group: 'connections',
    control: { kind: 'boolean' },
  },
  MONGODB_TLS_CA: {
    label: 'MongoDB certificate authority',
    description: 'CA certificate file used to check the MongoDB server.',
    group: 'connections',
    control: { kind: 'path' },
  },
  REDIS_URL: {
    label: 'Redis connection',
    description: 'The external Redis server. Change it in Setup.',
    group: 'connections',
    control: { kind: 'text' },
    setupOnly: true,
  },
  REDIS_KEY_PREFIX: {
    label: 'Redis key prefix',
    description: 'Put before every key, so several programs can share one Redis.',
    group: 'advanced',
    control: { kind: 'text', placeholder: 'nova:' },
  },
  REDIS_CONNECT_TIMEOUT_MS: {
    label: 'Redis connect wait',
    description: 'How long to wait for Redis to answer before reporting it down.',
    group: 'connections',
    control: ms(1),
  },
  REDIS_TLS_CA: {
    label: 'Redis certificate authority',
    description: 'CA certificate file used to check a Redis server reached over TLS.',
    group: 'connections',
    control: { kind: 'path' },
  },
  REDIS_SENTINELS: {
    label: 'Redis Sentinels',
    description:
      'For a Redis watched by Sentinels: their addresses as host:port, separated by commas. Nova asks them which server is the master.',
    group: 'connections',
    control: { kind: 'text', placeholder: '10.0.0.1:26379,10.0.0.2:26379' },
  },
  REDIS_SENTINEL_NAME: {
    label: 'Redis Sentinel master name',
    description: 'The name the Sentinels know the master by.',
    group: 'connections',
    control: { kind: 'text', placeholder: 'mymaster' },
  },
  REDIS_SENTINEL_PASSWORD: {
    label: 'Redis Sentinel password',
    description: 'The password of the Sentinels themselves, when they require one.',
    group: 'connections',
    control: { kind: 'text' },
  },
  REDIS_CLUSTER_NODES: {
    label: 'Redis Cluster nodes',
    description:
      'For a Redis Cluster: some of its nodes as host:port, separated by commas; the rest are found from them.',
    group: 'connections',
    control: { kind: 'text', placeholder: '10.0.0.1:6379,10.0.0.2:6379' },
  },
  REDIS_USERNAME: {
    label: 'Redis user',
    description:
      'The user for Sentinel or Cluster data servers (one server takes it from its address).',
    group: 'connections',
    control: { kind: 'text' },
  },
  REDIS_PASSWORD: {
    label: 'Redis password',
    description:
      'The password for Sentinel or Cluster data servers (one server takes it from its address).',
    group: 'connections',
    control: { kind: 'text' },
  },
  REDIS_TLS: {
    label: 'Redis over TLS',
    description: 'Encrypt connections to Sentinel or Cluster data servers.',
    group: 'connections',
    control: { kind: 'boolean' },
  },
  NOVA_BIN_SEARCH_DIRS: {
    label: 'Where to find server programs',
    description:
      'Folders searched for PostgreSQL, Redis and MongoDB programs, separated like PATH.',
    group: 'advanced',
    control: { kind: 'text', placeholder: '/usr/lib/postgresql/15/bin:/usr/bin' },
  },
  NOVA_NATIVE_POSTGRES_PORT: {
    label: 'Native PostgreSQL port',
    description: 'Fixed port for the PostgreSQL that Nova runs itself; empty means any free port.',
    group: 'advanced',
    control: port,
  },
  NOVA_NATIVE_MONGO_PORT: {
    label: 'Native MongoDB port',
    description: 'Fixed port for the MongoDB that Nova runs itself; empty means any free port.',
    group: 'advanced',
    control: port,
  },
  NOVA_NATIVE_REDIS_PORT: {
    label: 'Native Redis port',
    description: 'Fixed port for the Redis that Nova runs itself; empty means any free port.',
    group: 'advanced',
    control: port,
  },
  NOVA_BACKUP_DIR: {
    label: 'Backup folder',
    description: 'Where backups are written; relative paths are inside the data folder.',
    group: 'backups',
    control: { kind: 'path', placeholder: 'backups' },
  },
  NOVA_BACKUP_KEEP_LAST: {
    label: 'Keep the newest',
    description: 'This many of the newest backups are always kept.',
    group: 'backups',
    control: count(0, 1000, 'backups'),
  },
  NOVA_BACKUP_KEEP_DAILY: {
    label: 'Keep one a day for',
    description: 'One backup per day is kept for this many days.',
    group: 'backups',
    control: count(0, 1000, 'days'),
  },
  NOVA_BACKUP_KEEP_WEEKLY: {
    label: 'Keep one a week for',
    description: 'One backup per week is kept for this many weeks.',
    group: 'backups',
    control: count(0, 1000, 'weeks'),
  },
  NOVA_BACKUP_INTERVAL_HOURS: {
    label: 'Back up every',
    description: 'Time between scheduled backups; 0 turns scheduled backups off.',
    group: 'backups',
    control: { kind: 'number', unit: 'hours', min: 0, max: 8760, step: 0.5, integer: false },
  },
  NOVA_RESTORE_TEST_INTERVAL_HOURS: {
    label: 'Trial restore every',
    description:
      'Time between trial restores of the newest backup into scratch databases; 0 turns them off.',
    group: 'backups',
    control: { kind: 'number', unit: 'hours', min: 0, max: 8760, step: 1, integer: false },
  },
};

/** The entry of `key`, or a plain Advanced one for a key this catalogue does not know yet. */
export function settingInfo(key: string): SettingInfo {
  return (
    SETTINGS_CATALOG[key] ?? {
      label: key
        .toLowerCase()
        .replace(/^nova_/, '')
        .replace(/_/g, ' ')
        .replace(/^./, (c) => c.toUpperCase()),
      description: '',
      group: 'advanced',
      control: { kind: 'text' },
    }
  );
}

/** Why a value is out of a number control's bounds, in words for the field; null when it is fine. */
export function numberProblem(
  control: Extract<SettingControl, { kind: 'number' }>,
  raw: string,
): string | null {
  if (raw.trim() === '') return null;
  const n = Number(raw);
  if (!Number.isFinite(n)) return 'Enter a number.';
  if (control.integer && !Number.isInteger(n)) return 'Enter a whole number.';
  if (n < control.min || (control.max !== undefined && n > control.max)) {
    const unit = control.unit ? ` ${control.unit}` : '';
    return control.max !== undefined
      ? `Enter a value from ${control.min} to ${control.max}${unit}.`
      : `Enter ${control.min}${unit} or more.`;
  }
  return null;
}
