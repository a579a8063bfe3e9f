import { configDefaults } from '../../src/config/defaults.ts'
import type { ServerConfig } from '../../src/config/schema.ts'
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

/** Parses the Prometheus text format strictly: every line is a comment or `name{labels} value`. */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?) (-?(?:[0-9.e+-]+|NaN|\+Inf|-Inf))$/.exec(line)
    if (!m) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`)
    samples.set(m[1], Number(m[2]))
  }
  return samples
}

/** A response's JSON body, untyped: the tests assert its shape. */
// biome-ignore lint: tests inspect arbitrary JSON
export const json = (res: Response): Promise<any> => res.json()
