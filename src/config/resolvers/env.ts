import { parseValue } from '../invalid.ts'
import { KEYS, setKey } from '../keys.ts'
import type { Resolver } from './context.ts'

/** Applies MODEL_PATH, DEVICE, LOG_LEVEL, METRICS_ENABLED, CACHE_SIZE, BATCH_SIZE, BATCH_TIMEOUT, HOST, PORT, WORKERS. An empty variable counts as unset. */
export const fromEnv: Resolver = (ctx) => {
  for (const spec of KEYS) {
    const raw = spec.env ? ctx.env[spec.env] : undefined
    if (raw === undefined || raw.trim() === '') continue
    setKey(ctx.config, spec.key, parseValue(spec, raw, { source: 'env', name: spec.env! }))
    ctx.sources[spec.key] = 'env'
  }
}
