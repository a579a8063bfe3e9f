/**
 * `xrayops deploy --environment blue --version 2.0.0`: (re)starts that colour's model server with
 * a registered model, waits until it is ready and serves exactly that model, records it, and
 * brings up the gateway when it is not running. The first colour deployed becomes live.
 */
import { XrayError } from '../errors/index.ts'
import type { ModelRecord } from '../registry/records.ts'
import { label } from '../registry/records.ts'
import { type Colour, getEnvironment, otherColour, releaseState, setEnvironment } from '../state/environments.ts'
import { appendEvent } from '../state/events.ts'
import { gatewayUrl, modelService, newRunnerKind, portOf, processRunner, type ReleaseContext, runnerOf, systemdRunner } from './context.ts'
import { gatewayView, waitDrained, waitGeneration } from './gateway-client.ts'
import { notServing, reachable } from './probe.ts'
import { commitSwitch, type SwitchResult } from './traffic.ts'
import { writeColourEnvironment } from './systemd-deploy.ts'

export interface DeployOptions {
  colour: Colour
  version: string
  name?: string
  /** Restart the live colour too (its requests fail while it restarts). */
  force?: boolean
  reason?: string
}

export interface DeployResult {
  colour: Colour
  model: ModelRecord
  port: number
  /** Set when this deploy made the colour live (the first deployment). */
  switched?: SwitchResult
  gateway: 'running' | 'started'
}

/** The registered version, deployable: not archived, its file intact in the store. */
export function deployable(rc: ReleaseContext, version: string, name?: string): ModelRecord {
  const m = rc.registry.find(version, name)
  if (m.status === 'archived') throw new XrayError('MODEL_VERSION_NOT_FOUND', `${label(m)} is archived (${m.archivedAt}); it is not deployed again`)
  if (!rc.registry.store.holds(rc.registry.store.modelPath(m.sha256), m.sha256))
    throw new XrayError('MODEL_NOT_FOUND', `the file of ${label(m)} is missing or damaged in the model store (${rc.registry.store.modelPath(m.sha256)}); restore it from a backup`)
  return m
}

/** Waits until the gateway neither routes to `colour` nor has requests in flight there (bounded by the drain time). */
export async function drainColour(rc: ReleaseContext, colour: Colour): Promise<void> {
  const r = await waitDrained(gatewayUrl(rc), colour, rc.config.server.shutdownTimeoutMs)
  if (r && !r.drained) rc.say(`${colour}: ${r.inFlight} request(s) still in flight at the gateway after ${rc.config.server.shutdownTimeoutMs} ms; its own drain finishes them`)
}

/** Starts the gateway unless one answers at gateway.host:gateway.port. */
export async function ensureGateway(rc: ReleaseContext): Promise<'running' | 'started'> {
  if (await gatewayView(gatewayUrl(rc))) return 'running'
  rc.say(`starting the gateway on ${rc.config.gateway.host}:${rc.config.gateway.port}`)
  await (rc.systemd ? systemdRunner(rc) : processRunner(rc)).start('gateway')
  appendEvent(rc.state.db, { actor: rc.actor, action: 'gateway.start', subject: 'gateway', details: { port: rc.config.gateway.port, runner: rc.systemd ? 'systemd' : 'process' } })
  return 'started'
}

/** Tells the user when the gateway routes by `generation`. */
export async function awaitGateway(rc: ReleaseContext, generation: number): Promise<void> {
  if (await waitGeneration(gatewayUrl(rc), generation)) rc.say(`the gateway routes by generation ${generation}`)
  else rc.say(`the gateway at ${gatewayUrl(rc)} is not running or has not caught up; it routes by the state database once it runs`)
}

export async function deploy(rc: ReleaseContext, o: DeployOptions): Promise<DeployResult> {
  const { colour } = o
  const model = deployable(rc, o.version, o.name)
  const db = rc.state.db
  const before = getEnvironment(db, colour)
  const live = releaseState(db).liveColour === colour
  // A live colour that runs is restarted only on purpose; one that is stopped or failed serves nothing anyway.
  if (live && !['stopped', 'failed'].includes(before.state) && !o.force)
    throw new XrayError(
      'ENVIRONMENT_LIVE',
      `${colour} is live: deploy to ${otherColour(colour)} and switch (xrayops deploy-model --model-version ${model.version} --environment production does both), or pass --force to restart the live colour (requests fail while it restarts)`,
    )
  const port = portOf(rc, colour)
  const other = getEnvironment(db, otherColour(colour))
  if (other.port === port && other.state !== 'stopped') throw new XrayError('CONFIG_INVALID', `port ${port} is ${otherColour(colour)}'s (deploy.blue_port and deploy.green_port must differ)`)
  const host = rc.config.deploy.modelHost
  const kind = newRunnerKind(rc)
  db.transaction(() => {
    setEnvironment(db, colour, { modelId: model.id, host, port, runner: kind, state: 'starting' })
    appendEvent(db, { actor: rc.actor, action: 'env.deploying', subject: colour, reason: o.reason ?? null, details: { model: label(model), sha256: model.sha256, port, runner: kind, previous: before.version } })
  })
  rc.say(`${colour}: deploying ${label(model)} on ${host}:${port} (${kind === 'systemd' ? 'systemd unit' : 'process'})`)
  try {
    if (!live) await drainColour(rc, colour)
    if (before.runner && before.runner !== kind) await runnerOf(rc, before.runner).stop(modelService(colour))
    if (kind === 'systemd') writeColourEnvironment(rc.systemd!, colour, { host, port, modelPath: rc.registry.manifestPath(model) })
    await runnerOf(rc, kind).restart(modelService(colour))
    const why = await notServing(reachable(host, port), model, 10_000)
    if (why) throw new XrayError('ENVIRONMENT_NOT_READY', why)
  } catch (e) {
    const why = (e as Error).message
    // A server that failed its checks serves nothing: stop it (its log keeps what it said).
    await runnerOf(rc, kind).stop(modelService(colour)).catch(() => undefined)
    db.transaction(() => {
      setEnvironment(db, colour, { state: 'failed' })
      appendEvent(db, { actor: rc.actor, action: 'env.deploy_failed', subject: colour, reason: o.reason ?? null, details: { model: label(model), why } })
    })
    throw new XrayError('ENVIRONMENT_NOT_READY', `${colour} did not become ready with ${label(model)}, ${live ? 'and it is the live colour: the gateway answers 503 until a colour is ready and live' : 'traffic unchanged'}: ${why}`, {
      cause: e,
    })
  }
  db.transaction(() => {
    setEnvironment(db, colour, { state: 'ready' })
    appendEvent(db, { actor: rc.actor, action: 'env.deploy', subject: colour, reason: o.reason ?? null, details: { model: label(model), sha256: model.sha256, port, runner: kind } })
  })
  rc.say(`${colour}: ready with ${label(model)}`)
  const gateway = await ensureGateway(rc)
  let switched: SwitchResult | undefined
  if (releaseState(db).liveColour === null) {
    switched = commitSwitch(rc.state, { to: colour, actor: rc.actor, reason: 'first deployment: no colour was live' })
    rc.say(`${colour} is live (the first deployment)`)
    await awaitGateway(rc, switched.generation)
  }
  return { colour, model, port, switched, gateway }
}
