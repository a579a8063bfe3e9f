/**
 * `npm run bench:overload`: the model server past its capacity, on loopback. It measures the
 * capacity first (closed loop), then sends 10x that as an open loop for 60 s (`--duration`),
 * probing the health listener every 100 ms on fresh connections (as a kubelet does) and sampling
 * the server's RSS; then the time to the first 200 after the overload stops, and the RSS once the
 * server has been quiet for `--settle` seconds (memory return). The server is its own child process
 * (cache off), started and stopped by PID; every load is bounded in count and time.
 *
 *   npm run bench:overload -- [--duration 60] [--factor 10] [--capacity-seconds 15] [--settle 15]
 *                             [--memory-budget 512MiB] [--env NAME=value]... [--flag=--name=value]... [--json]
 *                             [--outcomes FILE] (every request's outcome, a JSON line each)
 */
import { writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { freePort } from '../test/helpers/process.ts'
import { loadImages, startXrayops } from './http-servers.ts'
import { every, get, listenOverflows, type Outcome, openLoop, post, quantile, rssMiB } from './overload-client.ts'
import { printOverload } from './overload-report.ts'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    factor: { type: 'string', default: '10' },
    'capacity-seconds': { type: 'string', default: '15' },
    settle: { type: 'string', default: '15' },
    'memory-budget': { type: 'string', default: '512MiB' },
    'max-outstanding': { type: 'string', default: '1000' },
    device: { type: 'string', default: 'cpu' },
    env: { type: 'string', multiple: true, default: [] },
    flag: { type: 'string', multiple: true, default: [] },
    images: { type: 'string' },
    json: { type: 'boolean', default: false },
    outcomes: { type: 'string' },
  },
})
const seconds = Number(args.duration)
/** `{value: count}` of a list, as "value x count" strings. */
const tally = (xs: string[]) => [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())].map(([k, n]) => `${k} x${n}`)
/** The server's V8 heap and the memory V8 holds outside it (Buffers), MiB, from its /metrics. */
async function heap(url: string) {
  const text = await fetch(`${url}/metrics`).then((r) => r.text())
  const value = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20)
  return { heap: value('xray_nodejs_heap_size_total_bytes'), external: value('xray_nodejs_external_memory_bytes') }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const budgetMiB = Number(/^(\d+)MiB$/i.exec(args['memory-budget']!)?.[1] ?? Number.NaN)

const images = loadImages(args.images)
const healthPort = await freePort()
const server = await startXrayops('xrayops', args.device!, ['--health-port', String(healthPort), '--memory-budget', args['memory-budget']!, ...args.flag!, ...args.env!], undefined)
const predict = `${server.url}/v1/predict`
const healthUrl = `http://127.0.0.1:${healthPort}/health/ready`
try {
  const warm = new http.Agent({ keepAlive: true })
  for (let i = 0; i < 16; i++) await post(predict, images[i % images.length]!, warm)
  await sleep(3_000)
  const idleMiB = rssMiB(server.pid)
  const idleHeap = await heap(server.url)

  // Capacity: a closed loop at concurrency 4 (2 per core).
  const t0 = performance.now()
  let ok = 0
  const end = t0 + Number(args['capacity-seconds']) * 1000
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; performance.now() < end; i += 4) if ((await post(predict, images[i % images.length]!, warm)).kind === '200') ok++
    }),
  )
  const capacity = ok / ((performance.now() - t0) / 1000)
  warm.destroy()
  await sleep(2_000)

  // Overload: factor x capacity, open loop; health probes and RSS samples throughout.
  const rate = Math.max(1, Math.round(capacity * Number(args.factor)))
  const probeAgent = new http.Agent({ keepAlive: false })
  const probes: { status: number; ms: number }[] = []
  const rss: number[] = []
  const stopProbe = every(100, async () => void probes.push(await get(healthUrl, probeAgent, 10_000)))
  const stopRss = every(100, () => void rss.push(rssMiB(server.pid)))
  const overflowsBefore = listenOverflows()
  const load = openLoop(predict, images, rate, seconds, Number(args['max-outstanding']))
  await load.sending
  // Recovery: from the moment the overload stops, one request at a time until one is answered 200.
  const stoppedAt = performance.now()
  const one = new http.Agent({ keepAlive: false })
  let recovered: Outcome | undefined
  for (let i = 0; !recovered && performance.now() - stoppedAt < 60_000; i++) {
    const o = await post(predict, images[i % images.length]!, one, 10_000)
    if (o.kind === '200') recovered = o
    else await sleep(50)
  }
  const recoveryS = (performance.now() - stoppedAt) / 1000
  const { outcomes, notSent, sendSeconds } = await load.settled
  const overflowsAfter = listenOverflows()
  await stopProbe()
  await stopRss()
  await sleep(Number(args.settle) * 1000)
  const afterMiB = rssMiB(server.pid)
  const afterHeap = await heap(server.url)

  const count = (k: Outcome['kind']) => outcomes.filter((o) => o.kind === k).length
  const admitted = outcomes.filter((o) => o.kind === '200').map((o) => o.ms)
  const probeMs = probes.map((p) => p.ms)
  const report = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model?.trim()} x${os.availableParallelism()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os.loadavg()[0]!.toFixed(1)} at the end`,
    command: `npm run bench:overload -- ${process.argv.slice(2).join(' ')}`.trim(),
    images: `${images.length} X-rays, JPEG bodies`,
    capacity: Number(capacity.toFixed(1)),
    rate,
    seconds,
    sendSeconds: Number(sendSeconds.toFixed(1)),
    sent: outcomes.length,
    notSent,
    ok: count('200'),
    overloaded: count('503'),
    other: count('other'),
    otherStatuses: tally(outcomes.filter((o) => o.kind === 'other').map((o) => o.code ?? String(o.status))),
    resetCodes: tally(outcomes.filter((o) => o.kind === 'reset').map((o) => o.code ?? '?')),
    resets: count('reset'),
    listenOverflows: overflowsBefore === null || overflowsAfter === null ? null : overflowsAfter - overflowsBefore,
    admittedP50Ms: quantile(admitted, 0.5),
    admittedP99Ms: quantile(admitted, 0.99),
    probes: probes.length,
    probeFailures: probes.filter((p) => p.status !== 200).length,
    probeP99Ms: quantile(probeMs, 0.99),
    probeMaxMs: Math.max(...probeMs),
    probesOver1s: probeMs.filter((m) => m > 1000).length,
    idleRssMiB: Math.round(idleMiB),
    peakRssMiB: Math.round(Math.max(...rss)),
    budgetMiB,
    afterRssMiB: Math.round(afterMiB),
    settleSeconds: Number(args.settle),
    heapIdleMiB: idleHeap,
    heapAfterMiB: afterHeap,
    recoveryS: Number(recoveryS.toFixed(2)),
    recoveredBy: recovered ? 'a 200' : 'no 200 within 60 s',
    env: args.env!,
  }
  if (args.outcomes) writeFileSync(args.outcomes, `${outcomes.map((o) => JSON.stringify(o)).join('\n')}\n`)
  if (args.json) console.log(JSON.stringify(report, null, 2))
  else printOverload(report)
} finally {
  await server.stop()
}
