import { configDefaults } from '../../src/config/keys.ts'
import type { ServerConfig } from '../../src/config/schema.ts'
import { parsePrometheusText, type Sample } from '../../src/metrics/parse.ts'
import { createModelServer, startServer, type ServerOptions } from '../../src/server/serve.ts'

export type Overrides = { [K in keyof ServerConfig]?: Partial<ServerConfig[K]> }

/** A server config for tests: loopback, a free port, CPU, quiet logs, plus overrides. */
export function testConfig(o: Overrides = {}): ServerConfig {
  const d = configDefaults()
  const config = {
    ...d,
    model: { ...d.model, device: 'cpu' as const },
    server: { ...d.server, host: '127.0.0.1', port: 0 },
    logging: { ...d.logging, level: 'error' as const },
    // Tests that want the audit trail turn it on with a state folder of their own.
    audit: { ...d.audit, enabled: false },
    // The compute at the priority of the other test files' work (vitest.config.ts says why).
    performance: { ...d.performance, computeNice: 0 },
  }
  for (const [section, values] of Object.entries(o)) Object.assign(config[section as keyof ServerConfig], values)
  return config
}

/** Something that answers HTTP: a server on a loopback socket, or an app called in-process. */
export interface Target {
  url: string
  fetch: (url: string, init?: RequestInit) => Promise<Response>
}

/** The model server on a loopback socket (where the socket is the point: signals, load, Prometheus). */
export const start = async (o: Overrides = {}, opts?: ServerOptions) => ({ ...(await startServer(testConfig(o), opts)), fetch: (url: string, init?: RequestInit) => fetch(url, init) })

/** The model server's app, called in-process through `app.request()`: no socket. */
export function startApp(o: Overrides = {}, opts?: ServerOptions) {
  const s = createModelServer(testConfig(o), opts)
  return {
    ...s,
    url: 'http://model.test',
    fetch: async (url: string, init?: RequestInit) => s.app.request(url, init),
    close: () => s.release(),
  }
}

/** POSTs raw image bytes to /v1/predict. */
export const postImage = (t: Target, bytes: Uint8Array, type = 'image/jpeg', query = '') =>
  t.fetch(`${t.url}/v1/predict${query}`, { method: 'POST', headers: { 'content-type': type }, body: bytes })

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
