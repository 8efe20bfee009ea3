// Entry point of the tls13 CLI (bin/tls13.js imports the compiled file).
import { run } from './run.js';

const code = await run(process.argv.slice(2));
// Explicit exit: stdin may still be open (e.g. the peer closed first).
process.exit(code);
