/** What the release commands ask a running gateway, through its public /health. */
import { XrayError } from '../errors/index.ts'

export interface GatewayView {
  ready: boolean
  live: string | null
  generation: number
  reason?: string
  upstreams: Record<string, { ready: boolean; in_flight: number; why?: string }>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The gateway's view, or null when nothing answers at `url`; throws when something else answers there. */
export async function gatewayView(url: string, timeoutMs = 2_000): Promise<GatewayView | null> {
  let res: Response
  try {
    res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) })
  } catch {
    return null
  }
  const body = (await res.json().catch(() => ({}))) as Partial<GatewayView> & { component?: string }
  if (body.component !== 'gateway') throw new XrayError('SERVICE_FAILED', `${url} answers, but not as an xrayops gateway (HTTP ${res.status}): is the gateway port used by another program?`)
  return body as GatewayView
}

/** Waits until the gateway routes by `generation` (or a later one); false when it did not within `ms` or is not running. */
export async function waitGeneration(url: string, generation: number, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const v = await gatewayView(url).catch(() => null)
    if (!v) return false
    if (v.generation >= generation) return true
    await sleep(100)
  }
  return false
}

/**
 * Waits until the gateway has no request in flight to `colour` and does not route to it (so
 * stopping it fails nothing). Returns what was left when `ms` ran out; null when no gateway runs.
 */
export async function waitDrained(url: string, colour: string, ms: number): Promise<{ drained: boolean; inFlight: number } | null> {
  const end = Date.now() + ms
  for (;;) {
    const v = await gatewayView(url).catch(() => null)
    if (!v) return null
    const inFlight = v.upstreams[colour]?.in_flight ?? 0
    const drained = v.live !== colour && inFlight === 0
    if (drained || Date.now() >= end) return { drained, inFlight }
    await sleep(100)
  }
}
