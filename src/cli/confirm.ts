import { createInterface } from 'node:readline/promises'
import { usageError } from './usage.ts'

/**
 * Asks before a destructive action: true with `--yes`; on a terminal, asks y/N; elsewhere (scripts,
 * CI) refuses with a usage error that says to pass --yes.
 */
export async function confirm(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw usageError(`${question} Not on a terminal: pass --yes to confirm`)
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}
