/**
 * Node's own flags for xrayops: the single executable is built with them (its execArgv), and
 * `npm start` passes the same (package.json; a test keeps them equal).
 *
 * `--initial-old-space-size=64`: V8 starts no major collection while its old generation holds
 * under 64 MB. A model server keeps about 16 MB alive, and every request in flight for longer than
 * two young-generation collections (at 16 concurrent requests, nearly all) moves there; with V8's
 * default limits that meant a major collection every 10 to 15 requests, about 3 ms of CPU per
 * request (docs/BENCHMARKS.md, section 6). The heap may now hold up to 64 MB before one.
 */
export const NODE_FLAGS = ['--initial-old-space-size=64'] as const

/**
 * glibc's malloc settings for the model server, which glibc reads only at start. Two arenas (not 8
 * per core, one taken by each busy thread: libvips', onnxruntime's, the event loop's): 45-50 MiB
 * less resident after load, at no cost in throughput (docs/BENCHMARKS.md, section 6). `npm start`
 * sets it.
 */
export const SERVE_ENV = { MALLOC_ARENA_MAX: '2' } as const

/**
 * What the systemd units, the container and the pod set: SERVE_ENV, and blocks from 128 KiB mapped
 * on their own, so that memory freed after a burst goes back to the system (docs/OPERATIONS.md,
 * "Memory"). That costs CPU (such blocks are faulted in afresh each time: 5 to 13% of the
 * throughput at 16 concurrent requests on 2 cores), the price of a bounded footprint on a shared host.
 */
export const MALLOC_ENV = { ...SERVE_ENV, MALLOC_MMAP_THRESHOLD_: '131072' } as const

/** `npm start`'s command line: SERVE_ENV and Node's flags above, then `xrayops serve`. */
export const START_COMMAND = `${Object.entries(SERVE_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ')} node ${NODE_FLAGS.join(' ')} bin/xrayops.mjs serve`
