/**
 * The blue/green environments and the release pointers (live colour, last good model). The
 * releases part writes them; the registry reads them to protect the models they name.
 */
import type { Db } from './sqlite.ts'

export type Colour = 'blue' | 'green'
export const colours: readonly Colour[] = ['blue', 'green']
export const isColour = (s: unknown): s is Colour => s === 'blue' || s === 'green'
export const otherColour = (c: Colour): Colour => (c === 'blue' ? 'green' : 'blue')

/** What runs a colour's model server: xrayops' own process supervisor, or a systemd unit. */
export type RunnerKind = 'process' | 'systemd'

export interface Environment {
  colour: Colour
  modelId: number | null
  name: string | null
  version: string | null
  sha256: string | null
  host: string | null
  port: number | null
  runner: RunnerKind | null
  /** stopped, starting, ready, failed. */
  state: string
  updatedAt: string
}

export function listEnvironments(db: Db): Environment[] {
  return db
    .prepare(
      `SELECT e.colour, e.model_id AS modelId, m.name, m.version, m.sha256, e.host, e.port, e.runner, e.state, e.updated_at AS updatedAt
       FROM environments e LEFT JOIN models m ON m.id = e.model_id ORDER BY e.colour`,
    )
    .all<Environment>()
}

export const getEnvironment = (db: Db, colour: Colour): Environment => listEnvironments(db).find((e) => e.colour === colour)!

type EnvironmentFields = { modelId?: number | null; host?: string | null; port?: number | null; runner?: RunnerKind | null; state?: string }

export function setEnvironment(db: Db, colour: Colour, fields: EnvironmentFields, at = new Date()): void {
  const cur = db.prepare('SELECT model_id AS modelId, host, port, runner, state FROM environments WHERE colour = ?').get(colour) as Required<EnvironmentFields>
  const next = { ...cur, ...fields }
  db.prepare('UPDATE environments SET model_id = ?, host = ?, port = ?, runner = ?, state = ?, updated_at = ? WHERE colour = ?').run(
    next.modelId,
    next.host,
    next.port,
    next.runner,
    next.state,
    at.toISOString(),
    colour,
  )
}

export interface ReleaseState {
  liveColour: Colour | null
  lastGoodModelId: number | null
  /** Counts changes of the live colour: the gateway names the generation it routed by on every answer. */
  generation: number
  updatedAt: string
}

export const releaseState = (db: Db): ReleaseState =>
  db.prepare('SELECT live_colour AS liveColour, last_good_model_id AS lastGoodModelId, generation, updated_at AS updatedAt FROM release_state WHERE id = 1').get<ReleaseState>()!

/** Updates the pointers; a change of the live colour starts a new generation. */
export function setReleaseState(db: Db, fields: Partial<Omit<ReleaseState, 'updatedAt' | 'generation'>>, at = new Date()): void {
  const cur = releaseState(db)
  const next = { ...cur, ...fields }
  const generation = cur.generation + (next.liveColour !== cur.liveColour ? 1 : 0)
  db.prepare('UPDATE release_state SET live_colour = ?, last_good_model_id = ?, generation = ?, updated_at = ? WHERE id = 1').run(next.liveColour, next.lastGoodModelId, generation, at.toISOString())
}

/** Models that must stay deployable: each one an environment names, and the last good one. */
export function protectedModels(db: Db): Map<number, string> {
  const out = new Map<number, string>()
  for (const e of listEnvironments(db)) if (e.modelId !== null) out.set(e.modelId, `the ${e.colour} environment runs it (${e.state})`)
  const last = releaseState(db).lastGoodModelId
  if (last !== null && !out.has(last)) out.set(last, 'it is the last good release')
  return out
}
