/**
 * The audit writer: predictions never wait for it. Records go into a bounded in-memory queue; a
 * timer (every `flushIntervalMs`) or a full batch (`flushRecords`) writes what is queued, one
 * transaction per batch, and a record counts as committed only once its transaction has. A full
 * queue or a failed write drops records: counted by reason (xray_audit_dropped_total) and logged,
 * never an error for the prediction. A database busy with another writer is retried a few times.
 */
import { logger } from '../log.ts'
import type { Db } from '../state/sqlite.ts'
import type { AuditRecord } from './record.ts'
import { insertRecords } from './store.ts'

const log = logger('audit')

export type DropReason = 'queue_full' | 'disk_full' | 'db_locked' | 'write_error' | 'unavailable'

export interface WriterOptions {
  flushIntervalMs: number
  flushRecords: number
  queueSize: number
}

export interface WriterHooks {
  dropped(reason: DropReason, n: number): void
  depth(n: number): void
  /** After each committed transaction, with its records' ids. */
  committed?(ids: string[]): void
}

/** A batch that found the database locked is retried this many times (one flush interval apart), then dropped. */
export const LOCKED_ATTEMPTS = 5
/** Records per transaction when a backlog is written. */
const MAX_BATCH = 512
/** At most one warning per reason in this many milliseconds. */
const WARN_EVERY_MS = 10_000

const classify = (e: unknown): 'busy' | 'full' | 'other' => {
  const err = e as { code?: string; errcode?: number; message?: string }
  const text = `${err.code ?? ''} ${err.message ?? ''}`
  if (err.errcode === 5 || err.errcode === 6 || /SQLITE_(BUSY|LOCKED)|database (table )?is locked/i.test(text)) return 'busy'
  if (err.errcode === 13 || /SQLITE_FULL|disk is full/i.test(text)) return 'full'
  return 'other'
}

export class AuditWriter {
  private queue: AuditRecord[] = []
  private attempts = 0
  private timer?: NodeJS.Timeout
  private soon = false
  private warned = new Map<string, number>()
  /** Records committed since start. */
  committedTotal = 0

  constructor(
    private readonly db: Db | undefined,
    private readonly opts: WriterOptions,
    private readonly hooks: WriterHooks,
  ) {
    if (db) {
      this.timer = setInterval(() => this.flush(), opts.flushIntervalMs)
      this.timer.unref()
    }
  }

  get depth(): number {
    return this.queue.length
  }

  /** Queues a record; returns at once. */
  push(record: AuditRecord): void {
    if (!this.db) return this.drop('unavailable', 1, 'the audit trail has no database')
    if (this.queue.length >= this.opts.queueSize) return this.drop('queue_full', 1, `the queue holds ${this.opts.queueSize} records`)
    this.queue.push(record)
    this.hooks.depth(this.queue.length)
    if (this.queue.length >= this.opts.flushRecords && !this.soon) {
      this.soon = true
      setImmediate(() => {
        this.soon = false
        this.flush()
      })
    }
  }

  /** Whether `id` is queued and not yet written. */
  holds(id: string): boolean {
    return this.queue.some((r) => r.id === id)
  }

  /** Writes every queued record (in transactions of up to 512); returns how many were committed. */
  flush(): number {
    if (!this.db) return 0
    let written = 0
    while (this.queue.length) {
      const batch = this.queue.slice(0, MAX_BATCH)
      try {
        insertRecords(this.db, batch)
      } catch (e) {
        const kind = classify(e)
        if (kind === 'busy' && ++this.attempts < LOCKED_ATTEMPTS) {
          this.warn('busy', `the state database is locked by another writer; ${this.queue.length} record(s) wait (attempt ${this.attempts} of ${LOCKED_ATTEMPTS})`)
          break
        }
        this.queue.splice(0, batch.length)
        this.drop(kind === 'busy' ? 'db_locked' : kind === 'full' ? 'disk_full' : 'write_error', batch.length, (e as Error).message)
        continue
      } finally {
        this.hooks.depth(this.queue.length)
      }
      this.attempts = 0
      this.queue.splice(0, batch.length)
      written += batch.length
      this.committedTotal += batch.length
      this.hooks.depth(this.queue.length)
      this.hooks.committed?.(batch.map((r) => r.id))
    }
    return written
  }

  /** Stops the timer and writes what is queued (the SIGTERM drain). */
  close(): number {
    clearInterval(this.timer)
    this.attempts = 0
    let written = 0
    // A locked database gets its retries now, back to back (each waits the busy timeout).
    for (let i = 0; i < LOCKED_ATTEMPTS && this.queue.length; i++) written += this.flush()
    if (this.queue.length) this.drop('db_locked', this.queue.splice(0).length, 'still locked at shutdown')
    return written
  }

  private drop(reason: DropReason, n: number, why: string): void {
    this.hooks.dropped(reason, n)
    this.warn(reason, `dropped ${n} audit record(s) (${reason}): ${why}`)
  }

  private warn(key: string, message: string): void {
    const now = Date.now()
    if (now - (this.warned.get(key) ?? 0) < WARN_EVERY_MS) return
    this.warned.set(key, now)
    log.warn(message)
  }
}
