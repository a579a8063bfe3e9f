/** The newest complete backup is younger than validate.backup_max_age. */
import { listBackups } from '../backup/locate.ts'
import { fail, pass, skip, type ValidationCheck } from './check.ts'

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`

export function backupCheck(backupDir: string, maxAgeMs: number, now = Date.now()): ValidationCheck {
  const name = 'backup recent'
  if (maxAgeMs === 0) return skip(name, 'validate.backup_max_age is 0: not checked')
  const newest = listBackups(backupDir).find((b) => b.complete)
  if (!newest) return fail(name, `no complete backup in ${backupDir} (xrayops backup)`)
  const age = now - newest.startedAt.getTime()
  const text = `newest ${newest.name} in ${backupDir} is ${hours(age)} old, at most ${hours(maxAgeMs)} wanted`
  return age <= maxAgeMs ? pass(name, text) : fail(name, text)
}
