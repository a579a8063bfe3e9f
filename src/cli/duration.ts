import { usageError } from './_shared.ts'

const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }

/** `30d`, `12h`, `90m`, `2w`, `45s` -> milliseconds; anything else is a usage error naming `flag`. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim())
  if (!m || Number(m[1]) <= 0) throw usageError(`${flag} ${JSON.stringify(text)} is not a duration: use a number and s, m, h, d or w (30d, 12h)`)
  return Number(m[1]) * UNITS[m[2]]
}
