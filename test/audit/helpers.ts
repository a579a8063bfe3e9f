import { createHash } from 'node:crypto'
import type { AuditRecord } from '../../src/audit/record.ts'
import { openState, type State } from '../../src/state/db.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { startApp, type Overrides } from '../helpers/server.ts'

/** A state folder with its database migrated, removed after the test. */
export async function tempState(prefix = 'audit'): Promise<State> {
  const s = await openState(tempDir(prefix))
  return s
}

/** A plausible record with id `id` (the writer tests do not need real predictions). */
export const fakeRecord = (id: string, at = new Date()): AuditRecord => ({
  id,
  at: at.toISOString(),
  instance: 'test:0',
  model: { name: 'm', version: '1', sha256: 'a'.repeat(64) },
  input: { sha256: createHash('sha256').update(id).digest('hex'), bytes: 100, kind: 'image' },
  label: 'NORMAL',
  score: 0.25,
  probabilities: { NORMAL: 0.75, PNEUMONIA: 0.25 },
  threshold: 0.5,
  latencyMs: 12.5,
  timings: { queue: 0, decode: 1, preprocess: 1, inference: 10, total: 12.5 },
  batchSize: 1,
  device: 'cpu',
  source: 'v1',
  cached: false,
  flags: [],
})

/** The model server in-process with the audit trail on, writing to `stateDir`. */
export const auditApp = (stateDir: string, o: Overrides = {}) =>
  startApp({ ...o, state: { dir: stateDir }, audit: { enabled: true, flushIntervalMs: 50, ...o.audit } })

export const until = async <T>(what: string, get: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms
  for (;;) {
    const v = await get()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
