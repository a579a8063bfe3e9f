/**
 * `xrayops recover`'s second half: after a restore, the release state the database records is
 * brought back to life. The live colour is deployed again (whatever its recorded state: it is
 * what traffic goes to), then the idle colour when it was recorded ready; each with its recorded
 * model version, through `deploy` and the runner that ran it. Then every colour brought back is
 * health-checked (a real prediction of its model's known image) and the gateway must route to the
 * live colour by the recorded generation.
 */
import { label } from '../registry/records.ts'
import { type Colour, type Environment, listEnvironments, releaseState } from '../state/environments.ts'
import { type ReleaseContext, gatewayUrl } from './context.ts'
import { deploy } from './deploy.ts'
import { gatewayView, waitGeneration } from './gateway-client.ts'
import { type Check, healthCheck } from './health-check.ts'

export interface RedeployStep {
  colour: Colour
  model: string | null
  action: 'deployed' | 'failed' | 'skipped'
  detail: string
}

export interface RecoverValidation {
  ok: boolean
  checks: (Check & { colour?: Colour })[]
}

/** The colours to bring back: the live one first, then the idle one if it was ready. */
export function recordedColours(rc: ReleaseContext): { run: Environment[]; skipped: RedeployStep[] } {
  const live = releaseState(rc.state.db).liveColour
  const run: Environment[] = []
  const skipped: RedeployStep[] = []
  const envs = listEnvironments(rc.state.db).sort((a, b) => Number(b.colour === live) - Number(a.colour === live))
  for (const e of envs) {
    const model = e.name && e.version ? `${e.name}@${e.version}` : null
    if (e.modelId === null) skipped.push({ colour: e.colour, model, action: 'skipped', detail: 'never deployed' })
    else if (e.colour !== live && e.state !== 'ready') skipped.push({ colour: e.colour, model, action: 'skipped', detail: `not live and recorded ${e.state}` })
    else run.push(e)
  }
  return { run, skipped }
}

/** Deploys each colour of `run` with its recorded version; a failure is reported, not thrown, so the other colour still comes back. */
export async function redeployRecorded(rc: ReleaseContext, run: Environment[], reason: string): Promise<RedeployStep[]> {
  const steps: RedeployStep[] = []
  for (const e of run) {
    const model = `${e.name}@${e.version}`
    try {
      const r = await deploy(rc, { colour: e.colour, version: e.version!, name: e.name!, force: true, reason })
      steps.push({ colour: e.colour, model: label(r.model), action: 'deployed', detail: `ready on port ${r.port}` })
    } catch (err) {
      steps.push({ colour: e.colour, model, action: 'failed', detail: (err as Error).message })
    }
  }
  return steps
}

/** The health check of every colour brought back, and the gateway routing by the recorded generation. */
export async function validateRecovered(rc: ReleaseContext, colours: Colour[]): Promise<RecoverValidation> {
  const checks: RecoverValidation['checks'] = []
  for (const c of colours) for (const k of (await healthCheck(rc, c)).checks) checks.push({ ...k, colour: c })
  const rs = releaseState(rc.state.db)
  if (rs.liveColour) {
    const url = gatewayUrl(rc)
    const caughtUp = await waitGeneration(url, rs.generation)
    const v = caughtUp ? await gatewayView(url).catch(() => null) : null
    const ok = v !== null && v.ready && v.live === rs.liveColour
    checks.push({
      name: 'gateway',
      ok,
      detail: ok ? `${url} routes to ${rs.liveColour} (generation ${v!.generation})` : v ? `${url} is ${v.ready ? 'ready' : 'not ready'} and routes to ${v.live ?? 'nothing'}${v.reason ? ` (${v.reason})` : ''}` : `${url} does not answer or does not route by generation ${rs.generation}`,
    })
  } else checks.push({ name: 'gateway', ok: false, detail: 'no colour is live in the restored state' })
  return { ok: checks.every((c) => c.ok), checks }
}
