import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { LATENCY_BUCKETS, M } from '../metrics/names.ts'

/** The gateway's metrics, on a registry of their own (monitoring/rules/gateway.yml uses them). */
export function createGatewayMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'xray_' })
  const registers = [registry]
  return {
    registry,
    requests: new Counter({ name: M.gatewayRequests, help: 'Requests through the gateway by route, status and the colour that served them', labelNames: ['route', 'status', 'colour'], registers }),
    duration: new Histogram({ name: M.gatewayRequestDuration, help: 'Time from request to response headers, at the gateway', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers }),
    upstreamUp: new Gauge({ name: M.gatewayUpstreamUp, help: '1 while the colour answers its readiness check', labelNames: ['colour'], registers }),
    inFlight: new Gauge({ name: M.gatewayInFlight, help: 'Requests forwarded to the colour whose answers have not finished', labelNames: ['colour'], registers }),
    generation: new Gauge({ name: M.gatewayGeneration, help: 'The traffic-switch generation the gateway routes by', registers }),
  }
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>

/**
 * The route label of a forwarded path: its pattern, never the raw path (model names and versions
 * in /v2 paths would make the label set unbounded).
 */
export function routeLabel(path: string): string {
  if (path === '/v1/predict' || path === '/v1/predict/batch') return path
  if (/^\/v2\/health\/(live|ready)$/.test(path) || path === '/v2') return path
  const m = /^\/v2\/models\/[^/]+(\/versions\/[^/]+)?(\/(infer|ready))?$/.exec(path)
  if (m) return `/v2/models/:name${m[1] ? '/versions/:version' : ''}${m[2] ?? ''}`
  return path.startsWith('/v1/') ? '/v1/other' : '/v2/other'
}
