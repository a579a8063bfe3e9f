/**
 * The blue/green environments and the release pointers (live colour, last good model). The
 * releases part writes them; the registry reads them to protect the models they name.
 */
import type { Db } from './sqlite.ts'

export type Colour = 'blue' | 'green'
export const colours: readonly Colour[] = ['blue', 'green']

export interface Environment {
  colour: Colour
  modelId: number | null
  name: string | null
  version: string | null
  port: number | null
  state: string
  updatedAt: string
}

export function listEnvironments(db: Db): Environment[] {
  return db
    .prepare(
      `SELECT e.colour, e.model_id AS modelId, m.name, m.version, e.port, e.state, e.updated_at AS updatedAt
       FROM environments e LEFT JOIN models m ON m.id = e.model_id ORDER BY e.colour`,
    )
    .all<Environment>()
}

export function setEnvironment(db: Db, colour: Colour, fields: { modelId?: number | null; port?: number | null; state?: string }, at = new Date()): void {
  const cur = db.prepare('SELECT model_id AS modelId, port, state FROM environments WHERE colour = ?').get(colour) as { modelId: number | null; port: number | null; state: string }
  const next = { ...cur, ...fields }
  db.prepare('UPDATE environments SET model_id = ?, port = ?, state = ?, updated_at = ? WHERE colour = ?').run(next.modelId, next.port, next.state, at.toISOString(), colour)
}

export interface ReleaseState {
  liveColour: Colour | null
  lastGoodModelId: number | null
  updatedAt: string
}

export const releaseState = (db: Db): ReleaseState =>
  db.prepare('SELECT live_colour AS liveColour, last_good_model_id AS lastGoodModelId, updated_at AS updatedAt FROM release_state WHERE id = 1').get<ReleaseState>()!

export function setReleaseState(db: Db, fields: Partial<Omit<ReleaseState, 'updatedAt'>>, at = new Date()): void {
  const next = { ...releaseState(db), ...fields }
  db.prepare('UPDATE release_state SET live_colour = ?, last_good_model_id = ?, updated_at = ? WHERE id = 1').run(next.liveColour, next.lastGoodModelId, at.toISOString())
}

/** Models that must stay deployable: each one an environment names, and the last good one. */
export function protectedModels(db: Db): Map<number, string> {
  const out = new Map<number, string>()
  for (const e of listEnvironments(db)) if (e.modelId !== null) out.set(e.modelId, `the ${e.colour} environment runs it (${e.state})`)
  const last = releaseState(db).lastGoodModelId
  if (last !== null && !out.has(last)) out.set(last, 'it is the last good release')
  return out
}
