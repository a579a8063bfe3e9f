import { type ArgsDef, type CommandDef, showUsage } from 'citty'
import { consola } from 'consola'

/**
 * A usage mistake (a bad flag value, a missing flag): the command's usage, the message, exit 1.
 * citty prints usage only for its own internal error class, which it does not export.
 */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Runs a command body; a UsageError prints `cmd`'s usage and the message, and exits 1. */
export async function withUsage<T extends ArgsDef>(cmd: CommandDef<T>, body: () => Promise<void>): Promise<void> {
  try {
    await body()
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    await showUsage(cmd as unknown as CommandDef)
    consola.error(e.message)
    process.exitCode = 1
  }
}

/** A positive number of seconds from a flag, or a UsageError naming the flag. */
export function seconds(flag: string, value: string): number {
  const n = Number(value)
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0)) throw new UsageError(`--${flag} must be a positive number of seconds, not "${value}"`)
  return n
}
