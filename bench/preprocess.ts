import { readBuffer } from '../src/preprocess/gpu/buffers.ts'
import { GpuPreprocessor } from '../src/preprocess/gpu/preprocess.ts'
import { preprocessCpu } from '../src/preprocess/cpu.ts'
import type { ResizeMethod } from '../src/preprocess/params.ts'
import { copies, type Context } from './context.ts'
import { StagedPreprocess, type Gpu } from './gpu.ts'
import { row, type Row, type Table } from './report.ts'
import { interleave, maxAbsDiff, type Case } from './stats.ts'

const METHODS: ResizeMethod[] = ['area', 'triangle']

/** Preprocessing of 1 and of 16 decoded X-rays to [n, 3, 224, 224] f32: TypeScript vs WGSL. */
export async function benchPreprocess(ctx: Context, gpu: Gpu | { skipped: string }): Promise<Table[]> {
  const tables: Table[] = []
  for (const n of [1, 16]) tables.push(await one(ctx, gpu, n))
  return tables
}

async function one(ctx: Context, gpu: Gpu | { skipped: string }, n: number): Promise<Table> {
  const batch = copies(ctx.image, n)
  const plane = 3 * 224 * 224
  const cases: Case[] = []
  const extra = new Map<string, number[]>() // samples of sub-stages, by row name
  const push = (k: string, v: number) => (extra.get(k) ?? extra.set(k, []).get(k)!).push(v)
  const cleanup: (() => void)[] = []
  const checks = new Map<ResizeMethod, () => Promise<number>>()
  const hasGpu = 'device' in gpu

  for (const method of METHODS) {
    const p = ctx.params(method)
    const cpuOut = new Float32Array(n * plane)
    cases.push({ name: `${method}: CPU preprocessCpu (TypeScript)`, run: () => void batch.forEach((img, i) => preprocessCpu(img, p, cpuOut, i * plane)) })
    if (!hasGpu) continue
    const { device } = gpu
    const pre = new GpuPreprocessor(device, p)
    const staged = new StagedPreprocess(device, p)
    cleanup.push(() => pre.destroy(), () => staged.destroy())
    const product = `${method}: GPU GpuPreprocessor.run() until onSubmittedWorkDone`
    cases.push({
      name: product,
      run: async () => {
        const t0 = performance.now()
        pre.run(batch)
        push(`${method}: - of which run() returns (host: pack, writeBuffer, encode, submit)`, performance.now() - t0)
        await device.queue.onSubmittedWorkDone()
        return performance.now() - t0
      },
    })
    cases.push({
      name: `${method}: GPU staged`,
      run: async () => {
        let t = performance.now()
        const packed = staged.pack(batch)
        const lap = (k: string) => {
          const now = performance.now()
          push(`${method}: GPU stage ${k}`, now - t)
          t = now
        }
        lap('pack (host, packBatch)')
        await staged.upload(packed)
        lap('upload (writeBuffer until done)')
        await staged.dispatch()
        lap('dispatch (2 passes, submit until done)')
        await staged.readback()
        lap('readback (copy + mapAsync)')
      },
    })
    checks.set(method, async () => {
      const out = pre.run(batch)
      const gpuOut = new Float32Array(await readBuffer(device, out, n * plane * 4))
      const stagedOut = await staged.dispatch().then(() => staged.readback())
      const ref = new Float32Array(n * plane)
      batch.forEach((img, i) => preprocessCpu(img, p, ref, i * plane))
      if (maxAbsDiff(gpuOut, stagedOut) !== 0) throw new Error(`bench staging differs from GpuPreprocessor (${method})`)
      return maxAbsDiff(gpuOut, ref)
    })
  }

  const warmup = 1
  const samples = await interleave(cases, {
    rounds: n === 1 ? ctx.reps(20, 2) : ctx.reps(8, 2),
    warmup,
    onRound: (r) => r === warmup - 1 && extra.clear(), // the stage samples of the warm-up round
  })
  const rows: Row[] = []
  for (const method of METHODS) {
    const cpuName = `${method}: CPU preprocessCpu (TypeScript)`
    const cpu = row(cpuName, samples.get(cpuName)!)
    const start = rows.length
    rows.push(cpu)
    if (!hasGpu) continue
    const err = await checks.get(method)!()
    const product = `${method}: GPU GpuPreprocessor.run() until onSubmittedWorkDone`
    const r = row(product, samples.get(product)!, { 'max |GPU - CPU|': err.toExponential(1) })
    rows.push(r)
    for (const [k, v] of extra) if (k.startsWith(`${method}:`)) rows.push(row(k, v))
    for (const x of rows.slice(start)) if (x.summary) x.extra = { ...x.extra, 'vs CPU': `${(x.summary.median / cpu.summary!.median).toFixed(2)}x` }
  }
  for (const c of cleanup) c()
  const { width, height } = ctx.image
  return {
    id: `preprocess-${n}`,
    title: `Preprocessing ${n === 1 ? 'one decoded X-ray' : `a batch of ${n} decoded X-rays`} (${width}x${height}) to ${n}x3x224x224 f32`,
    description:
      `${n === 1 ? 'The' : `${n} copies of the`} decoded X-ray, resized (area or triangle), normalized and replicated to 3 channels, NCHW. ` +
      (hasGpu
        ? `WGSL rows ran on **${gpu.name}**` +
          (gpu.summary.fallback
            ? ', a software rasterizer on the same CPU cores, not a GPU: they check that the passes run and agree with the CPU, and show the cost split, not GPU speed. '
            : '. ') +
          'The product row is what the WebGPU engine pays before inference (its output stays on the GPU for onnxruntime); the stage rows split the same work with the input already packed: ' +
          'upload and dispatch are each timed until `queue.onSubmittedWorkDone()` resolves, readback is a copy to a MAP_READ buffer and `mapAsync` (only a CPU consumer pays it).'
        : ''),
    extraColumns: ['vs CPU', 'max |GPU - CPU|'],
    rows,
    notes: hasGpu ? [] : [`WGSL rows skipped: ${gpu.skipped}`],
  }
}
