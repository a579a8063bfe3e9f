/**
 * Node's own flags for xrayops: the single executable is built with them (its execArgv), and
 * `npm start` passes the same (package.json; a test keeps the two equal).
 *
 * `--initial-old-space-size=64`: V8 starts no major collection while its old generation holds
 * under 64 MB. A model server keeps about 16 MB alive, and every request in flight for longer than
 * two young-generation collections (at 16 concurrent requests, nearly all) moves there; with V8's
 * default limits that meant a major collection every 10 to 15 requests, about 3 ms of CPU per
 * request (docs/BENCHMARKS.md, section 6). The heap may now hold up to 64 MB before one.
 */
export const NODE_FLAGS = ['--initial-old-space-size=64'] as const
