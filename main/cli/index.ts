/** Process entry of the `nova-db` bin: run the CLI with this process's arguments and exit with its code. */
import { usePrivateFileModes } from '../core/config/private-files.js';
import { runCli } from './run.js';

// Before anything is written: every file this process creates is private.
usePrivateFileModes();

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Everything is closed by now; if a stray handle (a driver's timer, a socket
// in TIME_WAIT) would keep Node alive, do not let it turn "done" into a hang.
setTimeout(() => process.exit(code), 2_000).unref();
