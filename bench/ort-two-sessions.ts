/**
 * What a second onnxruntime session would cost the CPU engine: one session as xrayops runs it (1
 * intra-op thread) and a second with 2 spinning threads (the plain server's setting, faster for a
 * lone request), the process's RSS after each is created and has run, and the median wall time
 * of a batch-1 run on each (30 runs after 5 warm-up runs).
 *
 *   node --import ./bin/register.mjs bench/ort-two-sessions.ts
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { root } from './root.ts'

const manifest = JSON.parse(readFileSync(path.join(root, 'models/pneumonia-efficientnet_b0-v1.json'), 'utf8'))
const model = readFileSync(path.join(root, 'models', manifest.file))
const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20)
const input = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).map(() => Math.random()), [1, 3, 224, 224])
const common = { interOpNumThreads: 1, graphOptimizationLevel: 'all', enableMemPattern: false } as const
const session = async (threads: number, spin: boolean) => {
  const s = await ort.InferenceSession.create(model, { ...common, intraOpNumThreads: threads, extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' } } } })
  for (let i = 0; i < 5; i++) await s.run({ [s.inputNames[0]!]: input })
  return s
}
const median = async (s: ort.InferenceSession) => {
  const t: number[] = []
  for (let i = 0; i < 30; i++) {
    const a = performance.now()
    await s.run({ [s.inputNames[0]!]: input })
    t.push(performance.now() - a)
  }
  return t.sort((x, y) => x - y)[15]!.toFixed(2)
}
const before = rss()
const one = await session(1, false)
const afterOne = rss()
const two = await session(2, true)
const afterTwo = rss()
console.log(`RSS MiB: ${before} before, ${afterOne} with the 1-thread session (+${afterOne - before}), ${afterTwo} with a second, 2 spinning threads (+${afterTwo - afterOne})`)
console.log(`batch 1, median ms: 1 thread ${await median(one)}, 2 spinning threads ${await median(two)}, 1 thread again ${await median(one)}`)
