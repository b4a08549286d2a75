/**
 * Where the files Nova reads at run time live, for installs that do not keep
 * them next to the modules that read them. From a checkout, an npm install
 * or the desktop app's asar, each reader finds its files relative to its own
 * module (the SQL migrations, the admin UI, the compose files). Two installs
 * differ: the single-binary server unpacks them from the executable into a
 * private cache directory (main/binary/), and the packaged desktop app keeps
 * the compose files in its resources directory, where the docker CLI can read
 * them. The launcher of such an install registers a locator once, before
 * anything reads a file; every reader asks here first and otherwise keeps
 * its default. Nothing else in the code branches on how Nova was installed.
 */

export interface AssetLocations {
  /** Holds `<dialect>/NNNN_name.sql` (main/core/schema/sql). */
  sqlDir?: string;
  /** The built admin UI: index.html and assets/. */
  rendererDir?: string;
  /** Holds docker-compose.yml and docker-compose.prod.yml. */
  composeDir?: string;
  /** The systemd unit template (resources/nova-db.service). */
  serviceUnit?: string;
  /** better-sqlite3's compiled module (better_sqlite3.node). */
  sqliteAddon?: string;
}

let locate: (() => AssetLocations) | undefined;
let located: AssetLocations | undefined;

/**
 * Registers the install's locator. It runs on the first question, not now,
 * so commands that read no file (`--version`, `--help`) never pay for it —
 * nor fail when, say, the single binary's cache directory is not writable.
 */
export function registerAssetLocations(locator: () => AssetLocations): void {
  locate = locator;
  located = undefined;
}

/** Where the install keeps `kind`, or undefined when the reader's own default applies. */
export function assetLocation(kind: keyof AssetLocations): string | undefined {
  if (!locate) return undefined;
  located ??= locate();
  return located[kind];
}
