/** The audit table: writing batches of records, and the reads the commands and checks need. */
import type { Db } from '../state/sqlite.ts'
import type { AuditRecord } from './record.ts'

const COLUMNS = [
  'id', 'at', 'instance', 'model_name', 'model_version', 'model_sha256', 'input_sha256', 'input_bytes', 'input_kind',
  'format', 'width', 'height', 'bit_depth', 'channels', 'modality', 'view', 'body_part',
  'label', 'score', 'probabilities', 'threshold', 'latency_ms', 'timings', 'batch_size', 'device', 'source', 'cached', 'client',
  'quality_flags', 'stats',
]
const INSERT = `INSERT OR IGNORE INTO audit (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`

const row = (r: AuditRecord) => [
  r.id, r.at, r.instance, r.model.name, r.model.version, r.model.sha256, r.input.sha256, r.input.bytes, r.input.kind,
  r.image?.format ?? null, r.image?.width ?? null, r.image?.height ?? null, r.image?.bitDepth ?? null, r.image?.channels ?? null,
  r.image?.modality ?? null, r.image?.view ?? null, r.image?.bodyPart ?? null,
  r.label, r.score, JSON.stringify(r.probabilities), r.threshold, r.latencyMs, JSON.stringify(r.timings), r.batchSize, r.device, r.source, r.cached ? 1 : 0, r.client ?? null,
  JSON.stringify(r.flags), r.stats ? JSON.stringify(r.stats) : null,
]

/**
 * Writes `records` in one transaction (committed when this returns). An id already present is
 * kept as it is (a retried batch after an unknown outcome writes nothing twice).
 */
export function insertRecords(db: Db, records: readonly AuditRecord[]): void {
  db.transaction(() => {
    const insert = db.prepare(INSERT)
    for (const r of records) insert.run(...row(r))
  })
}

/** An audit row as stored (JSON columns still text). */
export interface AuditRow {
  seq: number
  id: string
  at: string
  instance: string
  model_name: string
  model_version: string
  model_sha256: string
  input_sha256: string
  input_bytes: number
  input_kind: string
  format: string | null
  width: number | null
  height: number | null
  bit_depth: number | null
  channels: number | null
  modality: string | null
  view: string | null
  body_part: string | null
  label: string
  score: number
  probabilities: string
  threshold: number
  latency_ms: number
  timings: string
  batch_size: number
  device: string
  source: string
  cached: number
  client: string | null
  quality_flags: string
  stats: string | null
}

export const findPrediction = (db: Db, id: string): AuditRow | undefined => db.prepare('SELECT * FROM audit WHERE id = ?').get<AuditRow>(id)

export interface RecentQuery {
  /** At most this many, newest first. */
  limit?: number
  /** Only rows at or after this time. */
  since?: Date
  /** Only this model's predictions. */
  modelSha256?: string
  /** Only rows with image statistics (a decoded image: not cache hits, not tensors). */
  withStats?: boolean
}

/** Recent rows, newest first. */
export function recentRecords(db: Db, q: RecentQuery = {}): AuditRow[] {
  const where: string[] = []
  const params: (string | number)[] = []
  if (q.since) {
    where.push('at >= ?')
    params.push(q.since.toISOString())
  }
  if (q.modelSha256) {
    where.push('model_sha256 = ?')
    params.push(q.modelSha256)
  }
  if (q.withStats) where.push('stats IS NOT NULL')
  const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`
  return db.prepare(sql).all<AuditRow>(...params, q.limit ?? -1)
}

/** The model of the newest record, if any. */
export const latestModel = (db: Db): { sha256: string; name: string; version: string } | undefined =>
  db.prepare('SELECT model_sha256 AS sha256, model_name AS name, model_version AS version FROM audit ORDER BY seq DESC LIMIT 1').get()

/**
 * Deletes rows older than `cutoff` (their feedback with them), `chunk` rows per transaction so a
 * large backlog never holds the write lock for long; returns how many.
 */
export function deleteOlderThan(db: Db, cutoff: Date, chunk = 2000): number {
  let total = 0
  for (;;) {
    const n = db.transaction(() => db.prepare('DELETE FROM audit WHERE seq IN (SELECT seq FROM audit WHERE at < ? ORDER BY seq LIMIT ?)').run(cutoff.toISOString(), chunk).changes)
    total += n
    if (n < chunk) return total
  }
}

/** A model's positive label, read from its records: the label given when P(positive) reaches the threshold. */
export function positiveLabelOf(db: Db, modelSha256: string): string | undefined {
  const r = db.prepare('SELECT label, score, threshold, probabilities FROM audit WHERE model_sha256 = ? LIMIT 1').get<Pick<AuditRow, 'label' | 'score' | 'threshold' | 'probabilities'>>(modelSha256)
  if (!r) return undefined
  return r.score >= r.threshold ? r.label : Object.keys(JSON.parse(r.probabilities) as object).find((k) => k !== r.label)
}
