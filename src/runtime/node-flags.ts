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
 * glibc's malloc settings for a model server installed as a service: two arenas (not 8 per core:
 * libvips' and onnxruntime's threads would each keep their own), and blocks from 128 KiB mapped on
 * their own, so that memory freed after a burst goes back to the system (docs/OPERATIONS.md).
 * glibc reads them only at start: the systemd units, the container and the pod set them. They cost
 * CPU (the mapped blocks are faulted in afresh each time: 5 to 13% of the throughput on 2 cores,
 * docs/BENCHMARKS.md), so `npm start` leaves glibc's defaults.
 */
export const MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' } as const

/** `npm start`'s command line: Node's flags above, then `xrayops serve`. */
export const START_COMMAND = `node ${NODE_FLAGS.join(' ')} bin/xrayops.mjs serve`
