/** The recent-window flags shared by `audit`, `drift` and `data validate`. */
import type { ArgDef } from 'citty'
import { parseDuration } from './duration.ts'
import { intFlag, usageError } from './_shared.ts'

export const windowArgs = {
  window: { type: 'string', description: 'the most recent N predictions' },
  since: { type: 'string', description: 'predictions of the last DURATION (30m, 24h, 7d)' },
} as const satisfies Record<string, ArgDef>

/** `--window N` / `--since D` (not both): the query; `fallback` predictions when neither is given. */
export function recentWindow(args: { window?: string; since?: string }, fallback: number): { window?: number; since?: Date; text: string } {
  if (args.window !== undefined && args.since !== undefined) throw usageError('--window and --since cannot be combined: pick one')
  if (args.since !== undefined) {
    const ms = parseDuration(args.since, '--since')
    return { since: new Date(Date.now() - ms), text: `the last ${args.since}` }
  }
  const n = intFlag('window', args.window, 1, 10_000_000) ?? fallback
  return { window: n, text: `the most recent ${n}` }
}
