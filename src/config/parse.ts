import { XrayError } from '../errors/index.ts'
import type { ConfigSource, DeviceMode, LogLevel } from './schema.ts'

/** Returned by a parser for a value it does not accept. */
export const INVALID = Symbol('invalid')

/** Turns a raw value (a YAML scalar, an environment string, a flag) into a typed one. */
export interface Parser<T = unknown> {
  /** What is allowed, for error messages: `an integer 1-65535`. */
  allowed: string
  parse: (raw: unknown) => T | typeof INVALID
}

/** Scalars as trimmed text; mappings, lists and null are not text. */
const text = (raw: unknown): string | undefined =>
  typeof raw === 'string' ? raw.trim() : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined

export const int = (min: number, max?: number): Parser<number> => ({
  allowed: max === undefined ? `an integer >= ${min}` : `an integer ${min}-${max}`,
  parse: (raw) => {
    const s = text(raw)?.replaceAll('_', '')
    const n = s && /^[+-]?\d+$/.test(s) ? Number(s) : NaN
    return Number.isSafeInteger(n) && n >= min && n <= (max ?? Infinity) ? n : INVALID
  },
})

/** A non-negative number of milliseconds, fractions allowed. */
export const millis = (max: number): Parser<number> => ({
  allowed: `a number of milliseconds 0-${max}`,
  parse: (raw) => {
    const s = text(raw)
    const n = s && /^\+?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : NaN
    return n >= 0 && n <= max ? n : INVALID
  },
})

const units: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }

/** A byte count: `33554432`, or with a binary unit: `32MiB`, `512 KiB`. */
export const bytes = (min: number): Parser<number> => ({
  allowed: `a byte count >= ${min} (a plain integer, or with B, KiB, MiB or GiB)`,
  parse: (raw) => {
    const m = /^(\d+)\s*([a-z]*)$/i.exec(text(raw)?.replaceAll('_', '') ?? '')
    const n = m && units[m[2]!.toLowerCase()] ? Number(m[1]) * units[m[2]!.toLowerCase()]! : NaN
    return Number.isSafeInteger(n) && n >= min ? n : INVALID
  },
})

const durationUnits: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }

/** A duration with its unit (`200ms`, `5m`, `90d`), in milliseconds up to `max`; `0` when `zero` names what 0 means. */
export const duration = (max: number, zero?: string): Parser<number> => ({
  allowed: `a duration such as 500ms, 30s, 5m, 12h, 90d or 2w${zero ? ` (0: ${zero})` : ''}`,
  parse: (raw) => {
    const s = text(raw)?.toLowerCase() ?? ''
    if (zero && s === '0') return 0
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(s)
    const n = m ? Number(m[1]) * durationUnits[m[2]!]! : NaN
    return n > 0 && n <= max ? Math.round(n) : INVALID
  },
})

const booleans: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false }

export const bool: Parser<boolean> = {
  allowed: 'true/false, 1/0 or yes/no',
  parse: (raw) => booleans[text(raw)?.toLowerCase() ?? ''] ?? INVALID,
}

/** One of `values`, any case; `aliases` map other spellings onto them. */
export const oneOf = <T extends string>(values: readonly T[], aliases: Record<string, T> = {}): Parser<T> => ({
  allowed: `one of ${values.join(', ')}`,
  parse: (raw) => {
    const s = text(raw)?.toLowerCase() ?? ''
    return (values as readonly string[]).includes(s) ? (s as T) : (aliases[s] ?? INVALID)
  },
})

export const logLevel = oneOf<LogLevel>(['silent', 'error', 'warn', 'info', 'debug', 'trace'], { warning: 'warn', critical: 'error', fatal: 'error' })

export const device: Parser<DeviceMode> = {
  allowed: 'auto, gpu (or cuda) or cpu',
  parse: (raw) => {
    const v = text(raw)?.toLowerCase()
    if (v === 'auto' || v === 'gpu' || v === 'cpu') return v
    return v === 'cuda' || v === 'webgpu' ? 'gpu' : INVALID
  },
}

/** A device mode given outside the config table (a test, a library caller). */
export function parseDeviceMode(value: string | undefined, source = 'DEVICE'): DeviceMode {
  const mode = device.parse(value ?? 'auto')
  if (mode !== INVALID) return mode
  throw new XrayError('CONFIG_INVALID', `${source}=${JSON.stringify(value)} is not valid; use auto, gpu (or cuda) or cpu`, {
    details: { key: source, value, allowed: ['auto', 'gpu', 'cuda', 'cpu'] },
  })
}

/** A non-empty string without spaces, optionally one that matches `pattern`. */
export const word = (allowed: string, pattern = /^\S+$/): Parser<string> => ({
  allowed,
  parse: (raw) => (typeof raw === 'string' && pattern.test(raw.trim()) ? raw.trim() : INVALID),
})

/** An http(s) URL, without a trailing slash. */
export const url: Parser<string> = {
  allowed: 'an http:// or https:// URL',
  parse: (raw) => {
    const s = text(raw)
    if (!s || !/^https?:\/\/[^\s/]+/i.test(s) || !URL.canParse(s)) return INVALID
    return s.replace(/\/+$/, '')
  },
}

/** A comma-separated list (or a YAML list) of words; empty is an empty list. */
export const list = (allowed: string): Parser<string[]> => ({
  allowed: `${allowed}, comma-separated`,
  parse: (raw) => {
    const items = Array.isArray(raw) ? raw.map(text) : (text(raw) ?? '').split(',')
    if (items.some((i) => i === undefined)) return INVALID
    const words = (items as string[]).map((i) => i.trim()).filter(Boolean)
    return words.every((w) => /^\S+$/.test(w)) ? words : INVALID
  },
})

/** `null`, `~` or an empty string unset the value. */
export const optional = <T>(p: Parser<T>): Parser<T | undefined> => ({
  allowed: `${p.allowed}, or empty to unset`,
  parse: (raw) => (raw === null || raw === undefined || text(raw) === '' ? undefined : p.parse(raw)),
})

/** Where a raw value came from: `PORT` in the environment, `--port`, or `server.port` at a file's line. */
export interface Origin {
  source: ConfigSource
  /** The name as written there: `PORT`, `--port`, `server.port`. */
  name: string
  file?: string
  line?: number
}

export const describeOrigin = (o: Origin): string => (o.source === 'file' ? `file ${o.file}${o.line ? `:${o.line}` : ''}` : o.source)

const show = (value: unknown) => (value === undefined ? 'undefined' : JSON.stringify(value))

/** `PORT="80a" (env) is not valid: expected an integer 1-65535` */
export function configError(key: string, value: unknown, origin: Origin, allowed: string, problem = 'is not valid'): XrayError {
  const message = `${origin.name}=${show(value)} (${describeOrigin(origin)}) ${problem}: expected ${allowed}`
  return new XrayError('CONFIG_INVALID', message, {
    details: { key, name: origin.name, value, source: origin.source, allowed, ...(origin.file ? { file: origin.file } : {}), ...(origin.line ? { line: origin.line } : {}) },
  })
}
