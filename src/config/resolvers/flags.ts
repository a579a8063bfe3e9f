import { parseValue } from '../invalid.ts'
import { flagName, KEYS, setKey } from '../keys.ts'
import type { Resolver } from './context.ts'

/** Applies command-line flags (`--port`, `--cache-size`, ...), the last word. */
export const fromFlags: Resolver = (ctx) => {
  for (const spec of KEYS) {
    const raw = spec.flag ? ctx.flags[spec.flag] : undefined
    if (raw === undefined) continue
    setKey(ctx.config, spec.key, parseValue(spec, raw, { source: 'flag', name: `--${flagName(spec.flag!)}` }))
    ctx.sources[spec.key] = 'flag'
  }
}
