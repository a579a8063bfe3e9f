import { configDefaults } from '../../src/config/defaults.ts'
import type { ServerConfig } from '../../src/config/schema.ts'
import { parsePrometheusText, type Sample } from '../../src/metrics/parse.ts'
import { startServer } from '../../src/server/serve.ts'

export type Overrides = { [K in keyof ServerConfig]?: Partial<ServerConfig[K]> }

/** A server config for tests: loopback, a free port, CPU, quiet logs, plus overrides. */
export function testConfig(o: Overrides = {}): ServerConfig {
  const d = configDefaults({})
  return {
    model: { ...d.model, device: 'cpu', ...o.model },
    server: { ...d.server, host: '127.0.0.1', port: 0, ...o.server },
    performance: { ...d.performance, ...o.performance },
    logging: { ...d.logging, level: 'error', ...o.logging },
    metrics: { ...d.metrics, ...o.metrics },
    limits: { ...d.limits, ...o.limits },
  }
}

export const start = (o: Overrides = {}, opts?: { load?: boolean }) => startServer(testConfig(o), opts)

/** POSTs raw image bytes to /v1/predict. */
export const postImage = (url: string, bytes: Uint8Array, type = 'image/jpeg', query = '') =>
  fetch(`${url}/v1/predict${query}`, { method: 'POST', headers: { 'content-type': type }, body: bytes })

/** Prometheus samples keyed as they print: `name{label="v",...}`. */
export function parsePrometheus(text: string): Map<string, number> {
  const key = (s: Sample) => {
    const l = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`)
    return l.length ? `${s.name}{${l.join(',')}}` : s.name
  }
  return new Map(parsePrometheusText(text).map((s) => [key(s), s.value]))
}

/** A response's JSON body, untyped: the tests assert its shape. */
// biome-ignore lint: tests inspect arbitrary JSON
export const json = (res: Response): Promise<any> => res.json()
