/** The append-only history: who changed what, when and why. The table refuses updates and deletes. */
import type { Db } from './sqlite.ts'

export interface EventInput {
  actor: string
  action: string
  subject: string
  reason?: string | null
  details?: Record<string, unknown>
}

export interface Event extends EventInput {
  id: number
  at: string
}

export function appendEvent(db: Db, e: EventInput, at = new Date()): number {
  const r = db
    .prepare('INSERT INTO events (at, actor, action, subject, reason, details) VALUES (?, ?, ?, ?, ?, ?)')
    .run(at.toISOString(), e.actor, e.action, e.subject, e.reason ?? null, e.details ? JSON.stringify(e.details) : null)
  return Number(r.lastInsertRowid)
}

interface Row {
  id: number
  at: string
  actor: string
  action: string
  subject: string
  reason: string | null
  details: string | null
}

const toEvent = (r: Row): Event => ({ ...r, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : undefined })

/** Events, newest first; `prefix` keeps actions starting with it (`model.`). */
export function listEvents(db: Db, opts: { prefix?: string; limit?: number } = {}): Event[] {
  const rows = db
    .prepare(`SELECT * FROM events ${opts.prefix ? "WHERE action LIKE ? ESCAPE '\\'" : ''} ORDER BY id DESC LIMIT ?`)
    .all<Row>(...(opts.prefix ? [`${opts.prefix.replace(/[\\%_]/g, '\\$&')}%`] : []), opts.limit ?? -1)
  return rows.map(toEvent)
}

/** Events from `from` to `to` (ISO times, both included), oldest first. */
export function eventsBetween(db: Db, from: string, to: string): Event[] {
  return db.prepare('SELECT * FROM events WHERE at >= ? AND at <= ? ORDER BY id').all<Row>(from, to).map(toEvent)
}
