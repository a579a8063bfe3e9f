import { parseDeviceMode } from './device.ts'
import type { LogLevel } from './schema.ts'

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

export const device = {
  allowed: 'auto, gpu (or cuda) or cpu',
  parse: (raw: unknown) => {
    const s = text(raw)
    try {
      return s === undefined ? INVALID : parseDeviceMode(s)
    } catch {
      return INVALID
    }
  },
} satisfies Parser

/** A non-empty string without spaces, optionally one that matches `pattern`. */
export const word = (allowed: string, pattern = /^\S+$/): Parser<string> => ({
  allowed,
  parse: (raw) => (typeof raw === 'string' && pattern.test(raw.trim()) ? raw.trim() : INVALID),
})

/** `null`, `~` or an empty string unset the value. */
export const optional = <T>(p: Parser<T>): Parser<T | undefined> => ({
  allowed: `${p.allowed}, or empty to unset`,
  parse: (raw) => (raw === null || raw === undefined || text(raw) === '' ? undefined : p.parse(raw)),
})
