/**
 * Switching traffic: which colour the gateway routes to. The switch is one transaction (the live
 * pointer, the last good model and the event together); the colour it switches to must have been
 * deployed and must answer ready with the model the database says it runs, checked just before.
 */
import { XrayError } from '../errors/index.ts'
import type { State } from '../state/db.ts'
import { type Colour, getEnvironment, listEnvironments, releaseState, setReleaseState } from '../state/environments.ts'
import { appendEvent } from '../state/events.ts'
import { notServing, reachable } from './probe.ts'

export interface ColourCheck {
  colour: Colour
  ready: boolean
  /** Why it is not ready (or not serving the model it should). */
  why?: string
  url: string | null
  version: string | null
}

/** Whether `colour` can take traffic: deployed, state ready, answering ready, serving its recorded model. */
export async function checkColour(state: State, colour: Colour, timeoutMs = 5_000): Promise<ColourCheck> {
  const env = getEnvironment(state.db, colour)
  const base = { colour, url: env.port === null ? null : reachable(env.host, env.port), version: env.version }
  if (env.modelId === null || env.port === null) return { ...base, ready: false, why: `${colour} has never been deployed (xrayops deploy --environment ${colour} --version V)` }
  if (env.state !== 'ready') return { ...base, ready: false, why: `${colour} is ${env.state}, not ready (xrayops status; xrayops deploy --environment ${colour} --version ${env.version})` }
  const why = await notServing(base.url!, env, timeoutMs)
  if (why) return { ...base, ready: false, why: `${colour} at ${base.url}: ${why}` }
  return { ...base, ready: true }
}

export interface SwitchRequest {
  to: Colour
  /** When given, the live colour must be this one (the runbook's --from). */
  from?: Colour
  actor: string
  reason?: string
  /** The event's action: traffic.switch, or release.rollback / model.rollback / model.deploy. */
  action?: string
  /** Rollbacks keep the last good model as it is; other switches make the model leaving traffic the last good one. */
  keepLastGood?: boolean
}

export interface SwitchResult {
  from: Colour | null
  to: Colour
  version: string | null
  generation: number
  /** False when `to` was live already (nothing changed, no event). */
  changed: boolean
}

/** Commits the switch (no readiness check: `switchTraffic` checks first). */
export function commitSwitch(state: State, r: SwitchRequest): SwitchResult {
  return state.db.transaction(() => {
    const rs = releaseState(state.db)
    if (r.from !== undefined && rs.liveColour !== r.from)
      throw new XrayError('ENVIRONMENT_NOT_READY', `--from ${r.from}: the live colour is ${rs.liveColour ?? 'none'}, not ${r.from} (xrayops status)`)
    const envs = listEnvironments(state.db)
    const target = envs.find((e) => e.colour === r.to)!
    if (rs.liveColour === r.to) return { from: rs.liveColour, to: r.to, version: target.version, generation: rs.generation, changed: false }
    if (target.modelId === null || target.state !== 'ready') throw new XrayError('ENVIRONMENT_NOT_READY', `${r.to} is ${target.modelId === null ? 'not deployed' : target.state}, not ready`)
    const leaving = envs.find((e) => e.colour === rs.liveColour)
    const lastGood = r.keepLastGood ? rs.lastGoodModelId : (leaving?.modelId ?? rs.lastGoodModelId)
    setReleaseState(state.db, { liveColour: r.to, lastGoodModelId: lastGood })
    appendEvent(state.db, {
      actor: r.actor,
      action: r.action ?? 'traffic.switch',
      subject: `${rs.liveColour ?? 'none'}->${r.to}`,
      reason: r.reason ?? null,
      details: { from: rs.liveColour, to: r.to, fromVersion: leaving?.version ?? null, toVersion: target.version, generation: rs.generation + 1 },
    })
    return { from: rs.liveColour, to: r.to, version: target.version, generation: rs.generation + 1, changed: true }
  })
}

/** Checks that `to` is ready, then commits the switch; refuses (ENVIRONMENT_NOT_READY) saying why. */
export async function switchTraffic(state: State, r: SwitchRequest, timeoutMs = 5_000): Promise<SwitchResult> {
  const live = releaseState(state.db).liveColour
  if (r.from !== undefined && live !== r.from) throw new XrayError('ENVIRONMENT_NOT_READY', `--from ${r.from}: the live colour is ${live ?? 'none'}, not ${r.from} (xrayops status)`)
  if (live === r.to) return commitSwitch(state, r)
  const check = await checkColour(state, r.to, timeoutMs)
  if (!check.ready) throw new XrayError('ENVIRONMENT_NOT_READY', `traffic stays on ${live ?? 'no colour'}: ${check.why}`, { details: { colour: r.to } })
  return commitSwitch(state, r)
}
