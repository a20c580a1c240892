// `node run-ts.cjs FILE.ts ARGS...`: runs a TypeScript file of this repository in a plain node process
// (see register-ts.cjs); the script sees `process.argv.slice(2)` = ARGS, as if it had been run directly.
require('./register-ts.cjs');
process.argv.splice(1, 1);
require(require('node:path').resolve(process.argv[1]));
