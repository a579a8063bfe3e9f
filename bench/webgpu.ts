import { startEngine } from '../src/inference/engine.ts'
import { classify, type Classification } from '../src/inference/results.ts'
import type { Engine } from '../src/inference/types.ts'
import { copies, ortNodeMissing, type Context } from './context.ts'
import { row, type Row, type Table } from './report.ts'
import { summarize, timed } from './stats.ts'

const logitDiff = (c: Classification) => Math.log(c.probabilities.PNEUMONIA / c.probabilities.NORMAL)

/**
 * The WebGPU engine (WGSL preprocessing + onnxruntime-web JSEP, zero-copy) through
 * startEngine({ device: 'gpu' }). On a machine without a GPU that is a software rasterizer:
 * the rows show that the path runs and agrees with the CPU engine, not how fast a GPU is.
 */
export async function benchWebGpu(ctx: Context, adapter?: { name: string; fallback: boolean }): Promise<Table> {
  if (!adapter)
    return {
      id: 'webgpu',
      title: 'WebGPU engine',
      description: "startEngine({ device: 'gpu' }).",
      rows: [],
      notes: [],
      skipped: 'no WebGPU adapter (run scripts/setup-lavapipe.sh, or set VK_DRIVER_FILES)',
    }

  // The reference: the CPU engine's output for the same decoded image.
  const missing = await ortNodeMissing()
  let reference: Classification | undefined
  const params = ctx.params('area')
  const m = ctx.model.manifest
  const classifyAll = async (engine: Engine, images: typeof ctx.image[]) => {
    const run = await engine.infer(images)
    return { ...run, results: images.map((_, i) => classify(run.output, i, m)) }
  }
  if (!missing) {
    const { engine: cpu } = await startEngine(ctx.model, params, { device: 'cpu' })
    reference = (await classifyAll(cpu, [ctx.image])).results[0]
    await cpu.close()
  }

  ctx.log('webgpu: creating the WebGPU engine (onnxruntime-web JSEP, --liftoff-only)')
  const { value: started, ms: createMs } = await timed(() => startEngine(ctx.model, params, { device: 'gpu' }))
  const gpu = started.engine
  const software = adapter.fallback || /llvmpipe|lavapipe|swiftshader|software/i.test(gpu.deviceName)
  const rows: Row[] = []
  let score = NaN
  try {
    for (const n of [1, 16]) {
      const batch = copies(ctx.image, n)
      const first = await timed(() => classifyAll(gpu, batch))
      const samples: number[] = []
      const pre: number[] = []
      const inf: number[] = []
      let dP = 0
      let dLogit = 0
      const reps = n === 1 ? ctx.reps(3, 1) : ctx.reps(2, 1)
      for (let i = 0; i < reps; i++) {
        ctx.log(`webgpu: batch ${n}, run ${i + 1}/${reps}`)
        const { value, ms } = await timed(() => classifyAll(gpu, batch))
        samples.push(ms)
        pre.push(value.preprocessMs)
        inf.push(value.inferenceMs)
        score = value.results[0]!.score
        for (const r of value.results)
          if (reference) {
            dP = Math.max(dP, Math.abs(r.score - reference.score))
            dLogit = Math.max(dLogit, Math.abs(logitDiff(r) - logitDiff(reference)))
          }
      }
      rows.push(
        row(`batch ${n}: engine.infer (WGSL preprocess + ORT-web WebGPU)`, samples, {
          'first run ms': first.ms,
          'preprocess ms (host)': summarize(pre).median,
          'inference ms': summarize(inf).median,
          'P(pneumonia)': score.toFixed(6),
          'max |dP| vs CPU engine': reference ? dP.toExponential(1) : '-',
          'max |d logit-diff| vs CPU': reference ? dLogit.toExponential(1) : '-',
        }),
      )
    }
  } finally {
    await gpu.close()
  }
  return {
    id: 'webgpu',
    title: software ? 'WebGPU engine on a software rasterizer (correctness only, not a speed figure)' : `WebGPU engine on ${gpu.deviceName}`,
    description:
      `\`startEngine({ device: 'gpu' })\` (${(createMs / 1000).toFixed(1)} s to create, session included), then \`engine.infer()\` on the decoded X-ray (batch 16: 16 copies). ` +
      `Adapter: **${gpu.deviceName}**` +
      (software ? ' — a software rasterizer (Mesa lavapipe/llvmpipe) on the same CPU cores: these times say nothing about GPU speed.' : '.') +
      (reference ? ` The reference is the CPU engine's P(pneumonia) = ${reference.score.toFixed(6)} for the same image.` : ''),
    extraColumns: ['first run ms', 'preprocess ms (host)', 'inference ms', 'P(pneumonia)', 'max |dP| vs CPU engine', 'max |d logit-diff| vs CPU'],
    rows,
    notes: [
      '"preprocess ms (host)" is the time to encode and submit the WGSL passes; the GPU work itself finishes inside the inference time.',
      ...(missing ? [`No CPU reference: ${missing}.`] : []),
    ],
  }
}
