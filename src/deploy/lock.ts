/**
 * The release lock: one release command at a time per state directory (two deploys of one colour
 * would fight over its port). Held in the state database by a process (pid and start time); a
 * holder that has died (kill -9, a crash) no longer holds it, so nothing is ever left locked.
 */
import os from 'node:os'
import { XrayError } from '../errors/index.ts'
import type { Db } from '../state/sqlite.ts'
import { self, stillRunning } from './process-info.ts'

interface Holder {
  pid: number | null
  started: string | null
  hostname: string | null
  operation: string | null
  since: string | null
}

const held = (h: Holder) => h.pid !== null && (h.hostname !== os.hostname() || stillRunning(h.pid, h.started ?? ''))

/** Takes the lock for `operation`, or throws RELEASE_BUSY naming who holds it; returns the release function. */
export function acquireReleaseLock(db: Db, operation: string): () => void {
  const me = self()
  db.transaction(() => {
    const h = db.prepare('SELECT pid, started, hostname, operation, since FROM release_lock WHERE id = 1').get<Holder>()!
    if (held(h) && !(h.pid === me.pid && h.started === me.started))
      throw new XrayError('RELEASE_BUSY', `another release command is running: ${h.operation} (pid ${h.pid} on ${h.hostname}, since ${h.since}); wait for it to finish`, {
        details: { ...h },
      })
    db.prepare('UPDATE release_lock SET pid = ?, started = ?, hostname = ?, operation = ?, since = ? WHERE id = 1').run(me.pid, me.started, os.hostname(), operation, new Date().toISOString())
  })
  return () => {
    db.prepare('UPDATE release_lock SET pid = NULL, started = NULL, hostname = NULL, operation = NULL, since = NULL WHERE id = 1 AND pid = ? AND started = ?').run(me.pid, me.started)
  }
}
