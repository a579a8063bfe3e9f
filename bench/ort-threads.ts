/**
 * onnxruntime-node alone on the shipped model: wall and CPU time of one `session.run` per thread
 * setting and batch size (random input, 10 warm-up runs, then 50), each in a process of its own so
 * that one session's spinning threads do not run beside another's.
 *
 *   node --import ./bin/register.mjs bench/ort-threads.ts            # the table
 *   node --import ./bin/register.mjs bench/ort-threads.ts t1 2       # one setting, one batch size
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ort from 'onnxruntime-node'
import { root } from './root.ts'

const settings: Record<string, ort.InferenceSession.SessionOptions> = {
  // xrayops' default (performance.cpu_threads 1)
  t1: { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', enableMemPattern: false },
  // its earlier default: the cores, threads sleeping between operators
  't2 no-spin': { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all', enableMemPattern: false, extra: { session: { intra_op: { allow_spinning: '0' } } } },
  // onnxruntime's own default (the plain server's): the cores, spinning
  't2 spin': { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all', enableMemPattern: false },
}

const [name, n] = process.argv.slice(2)
if (name) {
  const batch = Number(n ?? 1)
  const manifest = JSON.parse(readFileSync(path.join(root, 'models/pneumonia-efficientnet_b0-v1.json'), 'utf8'))
  const s = await ort.InferenceSession.create(readFileSync(path.join(root, 'models', manifest.file)), settings[name])
  const x = new Float32Array(batch * 3 * 224 * 224).map(() => Math.random())
  const wall: number[] = []
  let cpu = 0
  for (let r = 0; r < 60; r++) {
    const c0 = process.cpuUsage()
    const t = performance.now()
    await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', x, [batch, 3, 224, 224]) })
    if (r < 10) continue
    wall.push(performance.now() - t)
    const c = process.cpuUsage(c0)
    cpu += (c.user + c.system) / 1000
  }
  wall.sort((a, b) => a - b)
  console.log(JSON.stringify({ wall: wall[wall.length >> 1]! / batch, cpu: cpu / wall.length / batch }))
} else {
  const self = fileURLToPath(import.meta.url)
  console.log('| onnxruntime threads | batch | wall ms per image (median) | CPU ms per image |')
  console.log('|---|---:|---:|---:|')
  for (const s of Object.keys(settings))
    for (const b of [1, 2, 4, 8]) {
      const out = execFileSync(process.execPath, ['--import', path.join(root, 'bin/register.mjs'), self, s, String(b)], { encoding: 'utf8' })
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as { wall: number; cpu: number }
      console.log(`| ${s} | ${b} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} |`)
    }
}
