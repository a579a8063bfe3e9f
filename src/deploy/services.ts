/** `xrayops restart`, `stop` and `status`: the services of this host as the state database and the runners see them. */
import { XrayError } from '../errors/index.ts'
import { label } from '../registry/records.ts'
import { type Colour, colours, type Environment, listEnvironments, releaseState, setEnvironment } from '../state/environments.ts'
import { appendEvent, type Event, listEvents } from '../state/events.ts'
import { gatewayUrl, modelService, processRunner, type ReleaseContext, runnerOf, systemdRunner } from './context.ts'
import { drainColour } from './deploy.ts'
import { type GatewayView, gatewayView } from './gateway-client.ts'
import { notServing, reachable, readyProbe } from './probe.ts'
import type { ServiceStatus } from './runner.ts'

/** Colours that have a model to run, the idle one first (the live one is restarted last). */
function deployedColours(rc: ReleaseContext, only?: Colour): Environment[] {
  const live = releaseState(rc.state.db).liveColour
  return listEnvironments(rc.state.db)
    .filter((e) => e.modelId !== null && e.port !== null && (!only || e.colour === only))
    .sort((a, b) => Number(a.colour === live) - Number(b.colour === live))
}

const gatewayRunner = (rc: ReleaseContext) => (rc.systemd ? systemdRunner(rc) : processRunner(rc))

async function checkOwnGateway(rc: ReleaseContext): Promise<void> {
  if (rc.systemd || processRunner(rc).running('gateway')) return
  if (await gatewayView(gatewayUrl(rc)).catch(() => null))
    throw new XrayError('SERVICE_FAILED', `the gateway at ${gatewayUrl(rc)} was not started by xrayops for this state directory (no pid file in ${rc.state.paths.dir}/run); restart it where it was started, or with --systemd`)
}

export async function restartModelServers(rc: ReleaseContext, only?: Colour): Promise<Colour[]> {
  const envs = deployedColours(rc, only)
  if (only && envs.length === 0) throw new XrayError('ENVIRONMENT_NOT_READY', `${only} has never been deployed`)
  const live = releaseState(rc.state.db).liveColour
  for (const e of envs) {
    if (e.colour === live) rc.say(`${e.colour} is live: requests to it fail while it restarts (deploy the other colour and switch for no downtime)`)
    else await drainColour(rc, e.colour)
    rc.say(`${e.colour}: restarting ${e.name}@${e.version}`)
    let why: string | undefined
    try {
      await runnerOf(rc, e.runner).restart(modelService(e.colour))
      why = await notServing(reachable(e.host, e.port!), e, 10_000)
    } catch (err) {
      why = (err as Error).message
    }
    rc.state.db.transaction(() => {
      setEnvironment(rc.state.db, e.colour, { state: why ? 'failed' : 'ready' })
      appendEvent(rc.state.db, { actor: rc.actor, action: why ? 'env.restart_failed' : 'env.restart', subject: e.colour, details: { model: `${e.name}@${e.version}`, ...(why ? { why } : {}) } })
    })
    if (why) throw new XrayError('ENVIRONMENT_NOT_READY', `${e.colour} did not come back ready: ${why}`)
    rc.say(`${e.colour}: ready`)
  }
  return envs.map((e) => e.colour)
}

export async function restartGateway(rc: ReleaseContext): Promise<void> {
  await checkOwnGateway(rc)
  await gatewayRunner(rc).restart('gateway')
  appendEvent(rc.state.db, { actor: rc.actor, action: 'gateway.restart', subject: 'gateway', details: { port: rc.config.gateway.port, runner: rc.systemd ? 'systemd' : 'process' } })
  rc.say(`gateway: restarted on ${gatewayUrl(rc)}`)
}

export async function stopGateway(rc: ReleaseContext): Promise<void> {
  await checkOwnGateway(rc)
  await gatewayRunner(rc).stop('gateway')
  appendEvent(rc.state.db, { actor: rc.actor, action: 'gateway.stop', subject: 'gateway', details: { runner: rc.systemd ? 'systemd' : 'process' } })
  rc.say('gateway: stopped')
}

export async function stopModelServers(rc: ReleaseContext, only?: Colour): Promise<Colour[]> {
  const envs = deployedColours(rc, only).filter((e) => e.state !== 'stopped')
  for (const e of envs) {
    await runnerOf(rc, e.runner).stop(modelService(e.colour))
    rc.state.db.transaction(() => {
      setEnvironment(rc.state.db, e.colour, { state: 'stopped' })
      appendEvent(rc.state.db, { actor: rc.actor, action: 'env.stop', subject: e.colour, details: { model: `${e.name}@${e.version}` } })
    })
    rc.say(`${e.colour}: stopped`)
  }
  return envs.map((e) => e.colour)
}

export interface ColourStatus extends Environment {
  live: boolean
  url: string | null
  service: ServiceStatus | null
  ready: boolean
  why?: string
  inFlight: number | null
}

export interface StatusReport {
  live: Colour | null
  generation: number
  lastGood: string | null
  updatedAt: string
  gateway: { url: string; service: ServiceStatus; view: GatewayView | null; error?: string }
  colours: ColourStatus[]
  events: Event[]
}

/** Everything `xrayops status` shows: the database's record, the runners' view and live probes. */
export async function status(rc: ReleaseContext, events = 10): Promise<StatusReport> {
  const rs = releaseState(rc.state.db)
  const url = gatewayUrl(rc)
  let view: GatewayView | null = null
  let error: string | undefined
  try {
    view = await gatewayView(url)
  } catch (e) {
    error = (e as Error).message
  }
  const service = await gatewayRunner(rc).status('gateway').catch((e: Error) => ({ name: 'gateway' as const, state: 'unknown' as const, detail: e.message, pid: null, since: null }))
  const out: ColourStatus[] = []
  for (const c of colours) {
    const e = listEnvironments(rc.state.db).find((x) => x.colour === c)!
    const base = e.port === null ? null : reachable(e.host, e.port)
    const svc = e.runner ? await runnerOf(rc, e.runner).status(modelService(c)).catch(() => null) : null
    const probe = base ? await readyProbe(base, 2_000) : null
    out.push({
      ...e,
      live: rs.liveColour === c,
      url: base,
      service: svc,
      ready: probe?.ready ?? false,
      ...(probe && !probe.ready ? { why: probe.why } : {}),
      inFlight: view?.upstreams[c]?.in_flight ?? null,
    })
  }
  const lastGood = rs.lastGoodModelId === null ? null : label(rc.registry.byId(rs.lastGoodModelId))
  return { live: rs.liveColour, generation: rs.generation, lastGood, updatedAt: rs.updatedAt, gateway: { url, service, view, ...(error ? { error } : {}) }, colours: out, events: listEvents(rc.state.db, { limit: events }) }
}
