/**
 * Where a server's CPU time goes, thread by thread: `xrayops serve` (DEVICE=cpu, cache off, any
 * serve flags) or the plain server, 96 requests at c=1 and 384 at c=16 of the 48 real X-rays, and
 * each thread's user + system time over each load (/proc/PID/task/TID/stat), grouped by thread
 * name and niceness, per request. Linux.
 *
 *   node --import ./bin/register.mjs bench/cpu-threads.ts [plain | serve flags...]
 */
import http from 'node:http'
import { readdirSync, readFileSync } from 'node:fs'
import { loadImages, startPlain, startXrayops } from './http-servers.ts'
import { post } from './overload-client.ts'
const images = loadImages(undefined)
const flags = process.argv.slice(2)
const server = flags[0] === 'plain' ? await startPlain() : await startXrayops('xrayops', 'cpu', flags, undefined)
const url = `${server.url}/v1/predict`
const snap = () => {
  const m = new Map<number, { comm: string; t: number; nice: number }>()
  for (const t of readdirSync(`/proc/${server.pid}/task`)) {
    try {
      const st = readFileSync(`/proc/${server.pid}/task/${t}/stat`, 'utf8')
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'))
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ')
      m.set(Number(t), { comm, t: (Number(f[11]) + Number(f[12])) * 10, nice: Number(f[16]) })
    } catch {}
  }
  return m
}
try {
  const a = new http.Agent({ keepAlive: true })
  for (let i = 0; i < 32; i++) await post(url, images[i % images.length]!, a)
  for (const c of [1, 16]) {
    const before = snap()
    const n = c === 1 ? 96 : 384
    let k = 0
    await Promise.all(Array.from({ length: c }, async () => { while (k < n) { const i = k++; await post(url, images[i % images.length]!, a) } }))
    const after = snap()
    const groups = new Map<string, number>()
    let total = 0
    for (const [tid, s] of after) {
      const d = s.t - (before.get(tid)?.t ?? 0)
      total += d
      const name = tid === server.pid ? 'main' : `${s.comm} nice${s.nice}`
      groups.set(name, (groups.get(name) ?? 0) + d)
    }
    console.log(`c=${c}: ${(total / n).toFixed(1)} CPU ms per request;`, [...groups].filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]).map(([g, v]) => `${g} ${(v / n).toFixed(1)}`).join(', '))
  }
} finally { await server.stop() }
