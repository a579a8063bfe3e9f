import { flagName, KEYS } from './keys.ts'
import type { FlatFlags } from './schema.ts'

/** The server's setting flags, for a command's `args`: `--port`, `--cache-size`, ... (all strings; the loader validates). */
export const settingFlags = KEYS.filter((k) => k.flag).map((k) => ({
  name: flagName(k.flag!),
  flag: k.flag!,
  description: `${k.fileKey}: ${k.parse.allowed}${k.env ? `; overrides $${k.env}` : ''}`,
}))

/** Picks the setting flags a user gave out of parsed command-line args (kebab or camel case keys). */
export function flagsFromArgs(args: Record<string, unknown>): Partial<FlatFlags> {
  const out: Record<string, unknown> = {}
  for (const { name, flag } of settingFlags) {
    const v = args[name] ?? args[flag]
    if (v !== undefined) out[flag] = typeof v === 'boolean' || typeof v === 'number' ? v : String(v)
  }
  return out as Partial<FlatFlags>
}
