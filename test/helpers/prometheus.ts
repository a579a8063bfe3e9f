import { spawn, type ChildProcess } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { tempDir } from './fixtures.ts'
import { freePort } from './process.ts'

export interface PrometheusHandle {
  url: string
  child: ChildProcess
  query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>
  stop(): Promise<void>
}

/** Starts a real Prometheus on loopback scraping `targets` (host:port) every second. */
export async function startPrometheus(targets: string[]): Promise<PrometheusHandle> {
  const dir = tempDir('prom')
  const port = await freePort()
  await writeFile(
    path.join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: xrayops\n    static_configs:\n      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]\n`,
  )
  const child = spawn(
    'prometheus',
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  )
  const url = `http://127.0.0.1:${port}`
  const end = Date.now() + 30_000
  while (!(await fetch(`${url}/-/ready`).then((r) => r.ok, () => false))) {
    if (Date.now() > end) throw new Error('prometheus did not become ready in 30 s')
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    child,
    async query(q) {
      const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: [] } }
      return body.data.result
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
