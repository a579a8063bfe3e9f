import os from 'node:os'
import { CpuEngine } from '../src/inference/cpu-engine.ts'
import { preprocessCpu } from '../src/preprocess/cpu.ts'
import { ortNodeMissing, type Context } from './context.ts'
import { OrtWebChild } from './ort-web.ts'
import { row, withRatios, type Row, type Table } from './report.ts'
import { interleave, maxAbsDiff, summarize, timed, type Case } from './stats.ts'

const BATCHES = [1, 16] as const

interface Engine {
  name: string
  /** One batch of `n`; returns the time the engine reports for session.run, or undefined to use wall time. */
  run: (n: number) => Promise<{ ms?: number; logits: Float32Array }>
  createMs: number
  firstRunMs: Record<number, number>
  close: () => Promise<void>
}

/**
 * The shipped model on the CPU: onnxruntime-node's CPU execution provider (the product's CPU
 * engine) against onnxruntime-web's wasm backend, 1 and 2 threads, all interleaved.
 */
export async function benchInference(ctx: Context): Promise<Table[]> {
  const plane = 3 * 224 * 224
  const one = preprocessCpu(ctx.image, ctx.params('area'), new Float32Array(plane))
  const inputs: Record<number, Float32Array> = {}
  for (const n of BATCHES) {
    inputs[n] = new Float32Array(n * plane)
    for (let i = 0; i < n; i++) inputs[n].set(one, i * plane)
  }
  const productThreads = os.availableParallelism()
  const threads = [...new Set([productThreads, 2, 1])].sort((a, b) => b - a)
  const engines: Engine[] = []

  const missing = await ortNodeMissing()
  for (const t of missing ? [] : threads) {
    ctx.log(`inference: onnxruntime-node CPU EP, ${t} thread(s)`)
    const { value: engine, ms: createMs } = await timed(() => CpuEngine.create(ctx.model, ctx.params('area'), { threads: t, workers: 0 }))
    const firstRunMs: Record<number, number> = {}
    for (const n of BATCHES) firstRunMs[n] = (await timed(() => engine.inferTensor(inputs[n], n))).ms
    engines.push({
      name: `onnxruntime-node CPU EP, ${t} thread${t > 1 ? 's' : ''}${t === productThreads ? ' (product)' : ''}`,
      run: async (n) => ({ logits: (await engine.inferTensor(inputs[n], n)).output.logits }),
      createMs,
      firstRunMs,
      close: () => engine.close(),
    })
  }
  const webConfigs = [
    ...threads.map((t) => ({ threads: t, liftoffOnly: false })),
    // As the WebGPU engine loads onnxruntime-web: 1 thread, V8 flag --liftoff-only.
    { threads: 1, liftoffOnly: true },
  ]
  for (const c of webConfigs) {
    ctx.log(`inference: onnxruntime-web wasm, ${c.threads} thread(s)${c.liftoffOnly ? ', --liftoff-only' : ''}`)
    const child = await OrtWebChild.start({ ...c, model: ctx.model.bytes, inputs })
    engines.push({
      name: `onnxruntime-web wasm, ${c.threads} thread${c.threads > 1 ? 's' : ''}${c.liftoffOnly ? ', node --liftoff-only' : ''}`,
      run: (n) => child.run(n),
      createMs: child.ready.createMs,
      firstRunMs: child.ready.firstRunMs,
      close: () => child.close(),
    })
  }

  const tables: Table[] = []
  try {
    for (const n of BATCHES) {
      const logits = new Map<string, Float32Array>()
      const cases: Case[] = engines.map((e) => ({
        name: e.name,
        run: async () => {
          const t0 = performance.now()
          const r = await e.run(n)
          logits.set(e.name, r.logits)
          return r.ms ?? performance.now() - t0
        },
      }))
      ctx.log(`inference: batch ${n}, interleaved`)
      const samples = await interleave(cases, {
        rounds: n === 1 ? ctx.reps(20, 2) : ctx.reps(6, 1),
        warmup: ctx.quick ? 0 : 1,
        settleMs: 20,
        onRound: (r) => ctx.log(`inference: batch ${n}, round ${r + 1}`),
      })
      const base = engines[0].name
      const rows: Row[] = engines.map((e) =>
        row(e.name, samples.get(e.name)!, {
          'images/s': ((1000 * n) / summarize(samples.get(e.name)!).median).toFixed(1),
          'session create ms': e.createMs,
          'first run ms': e.firstRunMs[n],
          'max |d logit| vs baseline': e.name === base ? '-' : maxAbsDiff(logits.get(e.name)!, logits.get(base)!).toExponential(1),
        }),
      )
      tables.push(
        withRatios({
          id: `inference-${n}`,
          title: `Inference on the CPU, batch ${n} (models/pneumonia-efficientnet_b0-v1.onnx, ${n}x3x224x224)`,
          description:
            'One session.run on an already preprocessed batch (the X-ray, area resize). onnxruntime-node rows call the product\'s `CpuEngine.inferTensor` ' +
            '(timed around the call); onnxruntime-web rows run `import \'onnxruntime-web\'` (its Node build, wasm backend, `env.wasm.numThreads` set) ' +
            'in a child process and are timed there around `session.run`. "session create" includes importing the runtime.',
          baseline: base,
          extraColumns: ['images/s', 'session create ms', 'first run ms', 'max |d logit| vs baseline'],
          rows,
          notes: [
            ...(missing ? [`No onnxruntime-node rows: ${missing}.`] : []),
            `The product's CPU engine uses os.availableParallelism() = ${productThreads} intra-op threads (XRAYOPS_CPU_THREADS overrides).`,
            '`--liftoff-only` is what the WebGPU engine sets (v8.setFlagsFromString) before loading onnxruntime-web\'s JSEP bundle, which otherwise stalls in TurboFan on Node 20; it leaves the wasm unoptimized.',
          ],
        }),
      )
    }
  } finally {
    for (const e of engines) await e.close()
  }
  return tables
}
