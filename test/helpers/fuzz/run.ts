/**
 * Runs the fuzz corpus (corpus.ts) against the model server on a loopback socket and checks what
 * the server itself says: no 5xx in its own request metrics, no INFERENCE_FAILED, no 200 without
 * finite probabilities, /health ok throughout, and the valid images answering exactly as before.
 * A failing case is written to `out` (request and bytes) for reproduction with `--only INDEX`.
 *   node --import ./bin/register.mjs test/helpers/fuzz/run.ts [--seed N] [--count N] [--only I] [--out DIR]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { rawExchange } from '../raw-http.ts'
import { parsePrometheus, start } from '../server.ts'
import { fuzzCorpus, seedImages, type Category, type FuzzCase } from './corpus.ts'
import { answerProblem } from './verdict.ts'

export interface FuzzOptions {
  seed: number
  count: number
  /** Requests in flight at once (default 4: well under the admission bound). */
  concurrency?: number
  /** Run only the case with this index (the others are generated, not sent). */
  only?: number
  /** Where failing cases are written; a temporary folder by default. */
  out?: string
  log?: (line: string) => void
}

export interface FuzzSummary {
  seed: number
  count: number
  seconds: number
  /** Category -> outcome ("200", "422 CORRUPT_IMAGE", "400", "no response") -> cases. */
  outcomes: Record<string, Record<string, number>>
  /** Image mutations: kind -> [cases whose mutated image was classified, cases]. */
  imagesAnswered: Record<string, [number, number]>
  /** From the server's own /metrics after the run. */
  server: { requests: number; status5xx: number; status4xx: number; internalErrors: number }
  failures: { index: number; category: Category; kind: string; problem: string; file?: string }[]
  out: string
}

const sum = (m: Map<string, number>, re: RegExp) => [...m].filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0)

export async function runFuzz(o: FuzzOptions): Promise<FuzzSummary> {
  const log = o.log ?? (() => {})
  const out = o.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-fuzz-'))
  const t0 = performance.now()
  const s = await start()
  try {
    await s.loaded
    const port = Number(new URL(s.url).port)
    const model = s.ctx.host.service!.model.manifest.name
    const images = await seedImages()
    const failures: FuzzSummary['failures'] = []
    const outcomes: FuzzSummary['outcomes'] = {}
    const imagesAnswered: FuzzSummary['imagesAnswered'] = {}
    const classified = new Map<number, boolean>()
    const fail = (c: FuzzCase, problem: string) => {
      const file = path.join(out, `fuzz-${o.seed}-${c.index}.json`)
      const { request } = c
      const body = request.via === 'raw' ? request.parts.map((p) => Buffer.from(p).toString('base64')) : Buffer.from(request.body).toString('base64')
      fs.mkdirSync(out, { recursive: true })
      fs.writeFileSync(file, JSON.stringify({ seed: o.seed, index: c.index, category: c.category, kind: c.kind, from: c.seed, problem, request: { ...request, parts: undefined, body } }, null, 1))
      failures.push({ index: c.index, category: c.category, kind: c.kind, problem, file })
      log(`FAIL case ${c.index} (${c.category}/${c.kind}): ${problem}; written to ${file}`)
    }
    const health = async (when: string) => {
      const h = (await (await fetch(`${s.url}/health`)).json()) as { status: string; checks: { inference: unknown } }
      if (h.status !== 'ok') failures.push({ index: -1, category: 'image', kind: 'health', problem: `/health is ${h.status} ${when}: ${JSON.stringify(h.checks.inference)}` })
    }
    // The valid images' answers (model run, no cache), to compare after the run.
    const answers = async () => {
      const rows: string[] = []
      for (const img of images) {
        const res = await fetch(`${s.url}/v1/predict`, { method: 'POST', headers: { 'content-type': `image/${img.format}`, 'cache-control': 'no-cache' }, body: img.bytes })
        const b = (await res.json()) as { label?: string; probabilities?: unknown }
        rows.push(`${img.name}: ${res.status} ${b.label} ${JSON.stringify(b.probabilities)}`)
      }
      return rows
    }
    const before = await answers()

    const send = async (c: FuzzCase) => {
      const { request: q } = c
      if (q.via === 'raw') {
        const a = await rawExchange(port, q.parts, { closeAfterSend: true, timeoutMs: 15_000 })
        if (a.end === 'timeout') fail(c, 'no answer and the connection stayed open for 15 s')
        if (a.status !== null && a.status >= 500) fail(c, `answered ${a.status}`)
        return a.status === null ? 'no response' : String(a.status)
      }
      const res = await fetch(`${s.url}${q.path}`, { method: 'POST', headers: { 'content-type': q.type }, body: q.body, signal: AbortSignal.timeout(60_000) })
      const text = await res.text()
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {}
      const problem = answerProblem(res.status, q.path, body)
      if (problem) fail(c, problem)
      const code = (body as { error?: { code?: string } } | undefined)?.error?.code
      // In a batch the mutated image is the first; the others are valid.
      if (res.status === 200 && q.path === '/v1/predict/batch') classified.set(c.index, (body as { results: { ok: boolean }[] }).results[0]?.ok === true)
      return `${res.status}${code ? ` ${code}` : ''}`
    }

    const cases = fuzzCorpus(o.seed, o.count, images, model)
    let done = 0
    const worker = async () => {
      for (let next = cases.next(); !next.done; next = cases.next()) {
        const c = next.value
        if (o.only !== undefined && c.index !== o.only) continue
        const outcome = await send(c).catch((e: Error) => {
          fail(c, `the request failed: ${e.message}${e.cause ? ` (${(e.cause as Error).message ?? e.cause})` : ""}`)
          return 'client error'
        })
        if (c.category === 'image') {
          const k = (imagesAnswered[c.kind] ??= [0, 0])
          k[0] += +(classified.get(c.index) ?? outcome === '200')
          k[1]++
        }
        const row = (outcomes[c.category] ??= {})
        row[outcome] = (row[outcome] ?? 0) + 1
        if (++done % 500 === 0) {
          await health(`after ${done} cases`)
          log(`${done} cases, ${failures.length} failures, ${Math.round((performance.now() - t0) / 1000)} s`)
        }
      }
    }
    await Promise.all(Array.from({ length: o.concurrency ?? 4 }, worker))
    // Aborted requests may still be finishing inside the server.
    for (let i = 0; i < 50 && s.ctx.active > 0; i++) await new Promise((r) => setTimeout(r, 100))
    await health('after the run')
    const after = await answers()
    after.forEach((row, i) => row !== before[i] && failures.push({ index: -1, category: 'image', kind: 'valid', problem: `a valid image answers differently after the run: ${before[i]} -> ${row}` }))
    const m = parsePrometheus(await (await fetch(`${s.url}/metrics`)).text())
    const server = {
      requests: sum(m, /^xray_http_requests_total\{/),
      status5xx: sum(m, /^xray_http_requests_total\{.*status="5\d\d"/),
      status4xx: sum(m, /^xray_http_requests_total\{.*status="4\d\d"/),
      internalErrors: sum(m, /^xray_prediction_errors_total\{code="(INFERENCE_FAILED|GPU_ERROR|NO_GPU)"\}/),
    }
    if (server.status5xx) failures.push({ index: -1, category: 'image', kind: 'metrics', problem: `the server counted ${server.status5xx} responses 5xx` })
    if (server.internalErrors) failures.push({ index: -1, category: 'image', kind: 'metrics', problem: `the server counted ${server.internalErrors} internal errors` })
    return { seed: o.seed, count: o.count, seconds: Math.round((performance.now() - t0) / 100) / 10, outcomes, imagesAnswered, server, failures, out }
  } finally {
    await s.close()
  }
}

async function main() {
  const arg = (name: string) => {
    const i = process.argv.lastIndexOf(`--${name}`)
    return i > 0 ? process.argv[i + 1] : undefined
  }
  const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31))
  const count = Number(arg('count') ?? 10_000)
  const only = arg('only') === undefined ? undefined : Number(arg('only'))
  console.log(`fuzz: seed ${seed}, ${count} cases${only !== undefined ? `, only case ${only}` : ''} (reproduce: npm run fuzz -- --seed ${seed} --count ${count})`)
  const summary = await runFuzz({ seed, count, only, out: arg('out'), log: (l) => console.log(l) })
  console.log(JSON.stringify(summary, null, 1))
  process.exitCode = summary.failures.length ? 1 : 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main()
