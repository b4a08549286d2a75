/** Command-line options of the desktop app: `--kiosk`, `--auto-start` / `--no-auto-start`, `--data-dir DIR`. */
export interface DesktopOptions {
  kiosk: boolean;
  /** true/false: change the start-at-login setting now; undefined: leave it. */
  autoStart: boolean | undefined;
  dataDir: string | undefined;
}

export function parseDesktopArgs(argv: readonly string[]): DesktopOptions {
  const options: DesktopOptions = { kiosk: false, autoStart: undefined, dataDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--kiosk') options.kiosk = true;
    else if (arg === '--auto-start') options.autoStart = true;
    else if (arg === '--no-auto-start') options.autoStart = false;
    else if (arg === '--data-dir' && argv[i + 1]) options.dataDir = argv[++i];
    else if (arg.startsWith('--data-dir=')) options.dataDir = arg.slice('--data-dir='.length);
  }
  return options;
}
