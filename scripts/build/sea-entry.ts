// Main script of the single executable (bundled by scripts/build/bundle.ts): the same CLI entry
// as bin/xrayops.mjs, plus what `serve --workers N` needs there.
import cluster from 'node:cluster'
import { run } from '../../src/cli/main.ts'

// cluster.fork() starts process.execPath with [...execArgv, process.argv[1], ...args]. The
// executable takes all of those as its own arguments (it parses no Node options): pass no
// execArgv, and let a worker drop the script path (which is the executable again).
if (cluster.isPrimary) cluster.setupPrimary({ execArgv: [] })
else process.argv.splice(2, 1)

void run()
