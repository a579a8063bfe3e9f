/**
 * The audit trail attached to the prediction service: every finished prediction becomes an
 * audit record (image statistics computed after the answer is on its way, off the prediction's
 * path), queued and written in batches (writer.ts); radiologists' feedback and the accuracy
 * metrics over it; retention. The drift check reads this trail (src/drift/monitor.ts).
 */
import { hostname } from 'node:os'
import { logger } from '../log.ts'
import type { ServerConfig } from '../config/schema.ts'
import { XrayError } from '../errors/index.ts'
import type { PredictionService } from '../inference/service.ts'
import type { Metrics } from '../metrics/index.ts'
import { openState, type State } from '../state/db.ts'
import { ensureStateDir, resolveStateDir } from '../state/dir.ts'
import { accuracyOf, labelledWindow, recordFeedback, type Accuracy, type FeedbackInput, type FeedbackRecord } from './feedback.ts'
import { auditMetrics, type AuditMetrics } from './metrics.ts'
import { toRecord } from './record.ts'
import { deleteOlderThan } from './store.ts'
import { AuditWriter } from './writer.ts'

const log = logger('audit')

/** How long the audit's database connection waits for another writer: short, the event loop waits with it. */
export const AUDIT_BUSY_TIMEOUT_MS = 100
/** Retention runs this often (and once at start). */
const RETENTION_EVERY_MS = 3_600_000

export class Audit {
  readonly writer: AuditWriter
  readonly metrics: AuditMetrics
  /** Why the trail cannot be written, when it cannot. */
  error?: string
  private pending = 0
  private closed = false
  private retention?: NodeJS.Timeout
  private detach: () => void

  private constructor(
    private readonly service: PredictionService,
    private readonly config: ServerConfig,
    metrics: Metrics,
    readonly state: State | undefined,
    error?: string,
  ) {
    this.error = error
    this.metrics = auditMetrics(metrics.registry, () => this.window())
    const a = config.audit
    this.writer = new AuditWriter(state?.db, { flushIntervalMs: a.flushIntervalMs, flushRecords: a.flushRecords, queueSize: a.queueSize }, {
      dropped: (reason, n) => this.metrics.dropped.inc({ reason }, n),
      depth: (n) => this.metrics.queueDepth.set(n),
      committed: (ids) => log.debug(`committed ${ids.length} record(s): ${ids.join(' ')}`),
    })
    for (const reason of ['queue_full', 'disk_full', 'db_locked', 'write_error', 'unavailable']) this.metrics.dropped.inc({ reason }, 0)
    const instance = `${hostname()}:${config.server.port}`
    const input = { width: service.params.outWidth, height: service.params.outHeight }
    this.detach = service.onPrediction((event) => {
      // The answer is returned first; the image statistics (~1 ms) are computed on the next turn.
      this.pending++
      const at = new Date()
      setImmediate(() => {
        this.pending--
        try {
          this.writer.push(toRecord(event, instance, input, at))
        } catch (e) {
          this.metrics.dropped.inc({ reason: 'write_error' })
          log.warn(`an audit record could not be built: ${(e as Error).message}`)
        }
      })
    })
    if (state && a.retentionMs > 0) {
      this.retention = setInterval(() => this.enforceRetention(), RETENTION_EVERY_MS)
      this.retention.unref()
      setImmediate(() => this.enforceRetention())
    }
  }

  /** Opens the state database and attaches to `service`. A database that cannot be opened leaves the trail unavailable (every record dropped and counted), never the server down. */
  static async start(service: PredictionService, config: ServerConfig, metrics: Metrics): Promise<Audit> {
    let state: State | undefined
    let error: string | undefined
    try {
      state = await openState(ensureStateDir(resolveStateDir({ dir: config.state.dir })))
      state.db.exec(`PRAGMA busy_timeout = ${AUDIT_BUSY_TIMEOUT_MS}`)
    } catch (e) {
      error = (e as Error).message
      log.error(`the audit trail is unavailable, predictions are served without it: ${error}`)
    }
    return new Audit(service, config, metrics, state, error)
  }

  /** Feedback's window for this server's model. */
  window(): Accuracy {
    const m = this.service.model.manifest
    try {
      const pairs = this.state && !this.closed ? labelledWindow(this.state.db, { window: this.config.feedback.window, modelSha256: m.sha256 }) : []
      return accuracyOf(pairs, m.positiveLabel)
    } catch (e) {
      log.warn(`the feedback window could not be read: ${(e as Error).message}`)
      return accuracyOf([], m.positiveLabel)
    }
  }

  /** Records a label; a prediction still queued here is written first. */
  feedback(f: FeedbackInput): FeedbackRecord {
    if (!this.state || this.closed) throw new XrayError('AUDIT_UNAVAILABLE', `the audit trail is unavailable (${this.error ?? 'shutting down'}): feedback cannot be recorded`)
    if (this.writer.holds(f.predictionId)) this.writer.flush()
    let record: FeedbackRecord
    try {
      record = recordFeedback(this.state.db, f)
    } catch (e) {
      if (e instanceof XrayError) throw e
      throw new XrayError('AUDIT_UNAVAILABLE', `the label could not be stored (${(e as Error).message}); retry`, { cause: e })
    }
    this.metrics.feedback.inc({ true_label: record.true_label })
    this.metrics.stale()
    return record
  }

  /** Deletes records older than audit.retention; returns how many. */
  enforceRetention(now = Date.now()): number {
    if (!this.state || this.config.audit.retentionMs <= 0) return 0
    try {
      const n = deleteOlderThan(this.state.db, new Date(now - this.config.audit.retentionMs))
      if (n) log.info(`retention: deleted ${n} audit record(s) older than ${new Date(now - this.config.audit.retentionMs).toISOString()}`)
      return n
    } catch (e) {
      log.warn(`retention failed (retried in an hour): ${(e as Error).message}`)
      return 0
    }
  }

  /** Detaches, writes every queued record (waiting for records still being built), closes the database. */
  async close(): Promise<void> {
    this.closed = true
    this.detach()
    clearInterval(this.retention)
    while (this.pending > 0) await new Promise((r) => setImmediate(r))
    const n = this.writer.close()
    if (n) log.info(`wrote the last ${n} audit record(s)`)
    this.state?.close()
  }
}
