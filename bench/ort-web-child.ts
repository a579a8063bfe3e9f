/**
 * onnxruntime-web's wasm backend in a child process of the benchmark (forked by ort-web.ts), so
 * that its V8 flags (--liftoff-only) and wasm threads apply to it alone. It times session.run
 * itself; the parent sends one message per run, interleaving it with the other engines.
 *
 * parent -> child: {type:'init', model, threads, inputs: {[n]: Float32Array}} | {type:'run', n} | {type:'exit'}
 * child -> parent: {type:'ready', createMs, firstRunMs: {[n]: ms}} | {type:'result', ms, logits} | {type:'error', message}
 */
import type * as OrtWeb from 'onnxruntime-web'

type Msg =
  | { type: 'init'; model: Uint8Array; threads: number; inputs: Record<number, Float32Array> }
  | { type: 'run'; n: number }
  | { type: 'exit' }

const send = (m: unknown) => process.send!(m)
let ort: typeof OrtWeb
let session: OrtWeb.InferenceSession
const tensors = new Map<number, OrtWeb.Tensor>()

const run = async (n: number) => {
  const t0 = performance.now()
  const out = await session.run({ input: tensors.get(n)! })
  const ms = performance.now() - t0
  return { ms, logits: out.logits.data as Float32Array }
}

process.on('message', async (m: Msg) => {
  try {
    if (m.type === 'init') {
      const t0 = performance.now()
      const mod = (await import('onnxruntime-web')) as typeof OrtWeb & { default?: typeof OrtWeb }
      ort = mod.default ?? mod
      ort.env.wasm.numThreads = m.threads
      ort.env.logLevel = 'error'
      // Model bytes, not a path (the web bundle has no file system access).
      session = await ort.InferenceSession.create(m.model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' })
      const createMs = performance.now() - t0
      const firstRunMs: Record<number, number> = {}
      for (const [n, data] of Object.entries(m.inputs)) {
        tensors.set(Number(n), new ort.Tensor('float32', data, [Number(n), 3, 224, 224]))
        firstRunMs[Number(n)] = (await run(Number(n))).ms
      }
      send({ type: 'ready', createMs, firstRunMs })
    } else if (m.type === 'run') {
      send({ type: 'result', ...(await run(m.n)) })
    } else {
      await session?.release()
      process.exit(0)
    }
  } catch (e) {
    send({ type: 'error', message: (e as Error).stack ?? String(e) })
  }
})
