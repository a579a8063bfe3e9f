/**
 * The runbook's release procedures on top of deploy and switch: deploy-model (to production:
 * the idle colour, health-checked, then switched), rollback and rollback-model (back to a
 * version: switch to the colour that runs it, or deploy it to the idle colour first).
 */
import { XrayError } from '../errors/index.ts'
import { label } from '../registry/records.ts'
import { type Colour, getEnvironment, otherColour, releaseState } from '../state/environments.ts'
import type { ReleaseContext } from './context.ts'
import { awaitGateway, deploy, deployable, type DeployResult } from './deploy.ts'
import { healthCheck, type HealthCheckResult } from './health-check.ts'
import { checkColour, type SwitchResult, switchTraffic } from './traffic.ts'

export interface SwitchOptions {
  to: Colour
  from?: Colour
  reason?: string
  action?: string
  keepLastGood?: boolean
}

/** Checks `to`, commits the switch, and waits until the gateway routes by it. */
export async function switchAndWait(rc: ReleaseContext, o: SwitchOptions): Promise<SwitchResult> {
  const r = await switchTraffic(rc.state, { ...o, actor: rc.actor })
  if (!r.changed) rc.say(`${o.to} is live already (generation ${r.generation}); nothing to switch`)
  else {
    rc.say(`traffic: ${r.from ?? 'none'} -> ${r.to} (${r.version}), generation ${r.generation}`)
    await awaitGateway(rc, r.generation)
  }
  return r
}

const failedChecks = (h: HealthCheckResult) =>
  h.checks
    .filter((c) => !c.ok)
    .map((c) => `${c.name}: ${c.detail}`)
    .join('; ')

export interface ReleaseResult {
  deployed?: DeployResult
  health?: HealthCheckResult
  switched?: SwitchResult
}

/** Deploys `version` to the idle colour, health-checks it, and switches to it; a failed check never switches. */
async function releaseToIdle(rc: ReleaseContext, version: string, s: { name?: string; reason?: string; action: string; keepLastGood?: boolean }): Promise<ReleaseResult> {
  const live = releaseState(rc.state.db).liveColour
  const target = live ? otherColour(live) : 'blue'
  const deployed = await deploy(rc, { colour: target, version, name: s.name, reason: s.reason })
  if (deployed.switched) return { deployed, switched: deployed.switched } // nothing was live: it is now
  const health = await healthCheck(rc, target)
  if (!health.ok) throw new XrayError('ENVIRONMENT_NOT_READY', `${target} failed its health check, traffic stays on ${live}: ${failedChecks(health)}`, { details: { colour: target } })
  rc.say(`${target}: health check passed`)
  const switched = await switchAndWait(rc, { to: target, from: live ?? undefined, reason: s.reason, action: s.action, keepLastGood: s.keepLastGood })
  return { deployed, health, switched }
}

/** `deploy-model --model-version V --environment production`: to the idle colour, checked, switched. */
export const deployModel = (rc: ReleaseContext, version: string, o: { name?: string; reason?: string } = {}) =>
  releaseToIdle(rc, version, { ...o, action: 'model.deploy' })

/**
 * Back to `version`: nothing when the live colour runs it; a switch when the idle colour runs it
 * and is ready; else a deployment of it to the idle colour first. The last good model stays.
 */
export async function rollbackTo(rc: ReleaseContext, version: string, o: { name?: string; reason?: string; action: 'release.rollback' | 'model.rollback' }): Promise<ReleaseResult> {
  const model = deployable(rc, version, o.name)
  const live = releaseState(rc.state.db).liveColour
  if (live && getEnvironment(rc.state.db, live).modelId === model.id) {
    rc.say(`${live} is live with ${label(model)} already; nothing to roll back`)
    return {}
  }
  const idle = live ? otherColour(live) : null
  if (idle && getEnvironment(rc.state.db, idle).modelId === model.id) {
    const check = await checkColour(rc.state, idle)
    if (check.ready) {
      rc.say(`${idle} runs ${label(model)} and is ready: switching back`)
      return { switched: await switchAndWait(rc, { to: idle, from: live!, reason: o.reason, action: o.action, keepLastGood: true }) }
    }
    rc.say(`${idle} runs ${label(model)} but is not ready (${check.why}): deploying it again`)
  }
  return releaseToIdle(rc, model.version, { name: model.name, reason: o.reason, action: o.action, keepLastGood: true })
}
