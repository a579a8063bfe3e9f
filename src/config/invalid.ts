import { XrayError } from '../errors/index.ts'
import type { KeySpec } from './keys.ts'
import type { ConfigSource } from './schema.ts'

/** Where a raw value came from: `PORT` in the environment, `--port`, or `server.port` at a file's line. */
export interface Origin {
  source: ConfigSource
  /** The name as written there: `PORT`, `--port`, `server.port`. */
  name: string
  file?: string
  line?: number
}

export const describeOrigin = (o: Origin): string =>
  o.source === 'file' ? `file ${o.file}${o.line ? `:${o.line}` : ''}` : o.source

const show = (value: unknown) => (value === undefined ? 'undefined' : JSON.stringify(value))

/** `PORT="80a" (env) is not valid: expected an integer 1-65535` */
export function configError(key: string, value: unknown, origin: Origin, allowed: string, problem = 'is not valid'): XrayError {
  const message = `${origin.name}=${show(value)} (${describeOrigin(origin)}) ${problem}: expected ${allowed}`
  return new XrayError('CONFIG_INVALID', message, {
    details: { key, name: origin.name, value, source: origin.source, allowed, ...(origin.file ? { file: origin.file } : {}), ...(origin.line ? { line: origin.line } : {}) },
  })
}

/** Parses `raw` with the key's parser, or throws naming the key, the value, its origin and what is allowed. */
export function parseValue(spec: KeySpec, raw: unknown, origin: Origin): unknown {
  const value = spec.parse.parse(raw)
  if (typeof value === 'symbol') throw configError(spec.key, raw, origin, spec.parse.allowed)
  return value
}
