import { usageError } from './usage.ts'
import { consola } from 'consola'

/**
 * Asks before a destructive change: `--yes` answers for the user; on a terminal the user is
 * asked; anywhere else (scripts, CI) the command refuses without `--yes`.
 */
export async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw usageError(`${question} Not on a terminal: pass --yes to confirm`, 'E_CONFIRM')
  return (await consola.prompt(question, { type: 'confirm', initial: false, cancel: 'default' })) === true
}
