import os from 'node:os'
import { XrayError } from '../errors/index.ts'
import type { GrayImage } from '../imaging/decode.ts'
import { loadModel, type LoadedModel } from '../models/manifest.ts'
import { preprocessCpu } from '../preprocess/cpu.ts'
import type { PreprocessParams } from '../preprocess/params.ts'
import { WorkerClient } from './cpu/client.ts'
import { createCpuSession, runCpuSession, type CpuSession, type CpuSessionOptions } from './cpu/session.ts'
import { Mutex } from './mutex.ts'
import { concatOutputs, type Engine, type EngineOutput, type EngineRun } from './types.ts'

export interface CpuEngineOptions extends CpuSessionOptions {
  /** Model worker threads, each with its own session; 0 runs preprocessing and the model on the calling thread. */
  workers: number
  /** Most images per onnxruntime run (bounds the memory arena); larger batches are split. */
  maxBatch: number
}

/**
 * The pixels in shared memory, for a model worker to read: a SharedArrayBuffer crosses to the
 * worker as a handle, where a plain one is copied twice on the way (0.14 against 0.44 ms for the
 * 70 KB of a decoded X-ray, measured round trip). Neither side writes them.
 */
function shared(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(data.byteLength))
  out.set(data)
  return out
}

/** Reads a model file again (for a new worker); made out here so that it holds the path only, not the first load's bytes. */
const reloader = (manifestPath: string) => async () => {
  try {
    return (await loadModel(manifestPath)).bytes
  } catch (e) {
    // The server's own failure, not the client's: the model it was started with is gone or changed.
    throw new XrayError('INFERENCE_FAILED', `the CPU model worker cannot be restarted: ${(e as Error).message}`, { cause: e })
  }
}

/** Runs handed to a model worker at a time (see the constructor). */
const RUNS_PER_WORKER = 2

export const defaultCpuOptions = (): CpuEngineOptions => ({ threads: 1, workers: 1, maxBatch: 1, memoryArena: true })

/**
 * CPU engine: TypeScript preprocessing (the same math as the WGSL passes) and onnxruntime-node's
 * CPU execution provider. With workers, both run off the main thread, so the event loop only
 * moves buffers: a model worker preprocesses the images of its batch itself, while the images of
 * the next batch are decoded (libvips, on libuv's pool). A separate preprocessing worker, handing
 * each image's model input back through the event loop, cost 65 MiB and bought no throughput on
 * 2 cores (docs/BENCHMARKS.md, section 6).
 */
export class CpuEngine implements Engine {
  readonly kind = 'cpu'
  readonly deviceName: string
  readonly slots: number
  readonly maxBatch: number
  private readonly size: number
  private readonly mutex = new Mutex()
  private readonly busy: number[]

  private constructor(
    private readonly inputName: string,
    private readonly params: PreprocessParams,
    private readonly opts: CpuEngineOptions,
    private readonly local?: CpuSession,
    private readonly runners: WorkerClient[] = [],
  ) {
    const where = opts.workers ? `${opts.workers} worker${opts.workers > 1 ? 's' : ''} x ${opts.threads} threads` : `${opts.threads} threads`
    this.deviceName = `cpu (${os.cpus()[0]?.model?.trim() ?? os.arch()}, ${where})`
    // Two runs per model worker: the next batch waits in the worker's queue while one runs, so the
    // worker never waits for the event loop to hand it work (it runs them one at a time).
    this.slots = Math.max(1, runners.length * RUNS_PER_WORKER)
    this.maxBatch = opts.maxBatch
    this.size = 3 * params.outWidth * params.outHeight
    this.busy = runners.map(() => 0)
  }

  static async create(model: LoadedModel, params: PreprocessParams, options: Partial<CpuEngineOptions> = {}): Promise<CpuEngine> {
    const opts = { ...defaultCpuOptions(), ...options }
    try {
      const inputName = model.manifest.input.name
      if (opts.workers === 0) return await new CpuEngine(inputName, params, opts, await createCpuSession(model.bytes, opts)).reserved()
      const session = { threads: opts.threads, memoryArena: opts.memoryArena, nice: opts.nice, spin: opts.spin }
      // Once its worker runs, an engine keeps no copy of the model file (15 MB for the shipped one): a
      // worker started after one died reads it again, checked against the manifest's sha256.
      const reload = reloader(model.manifestPath)
      const runners = Array.from({ length: opts.workers }, () => new WorkerClient({ role: 'model', model: model.bytes, inputName, params, session }, reload))
      await Promise.all(runners.map((w) => w.start())).catch(async (e) => {
        await Promise.all(runners.map((w) => w.close()))
        throw e
      })
      return await new CpuEngine(inputName, params, opts, undefined, runners).reserved()
    } catch (cause) {
      throw new XrayError('MODEL_INVALID', `onnxruntime cannot load model ${model.manifest.name}: ${(cause as Error).message}`, { cause })
    }
  }

  /**
   * With the memory arena, one run of the largest batch on each session before any request: the
   * arena takes at start what the largest run needs, so the memory a server holds when idle is
   * what it holds after a burst (instead of growing by the arena's increments under load).
   */
  private async reserved(): Promise<this> {
    if (!this.opts.memoryArena) return this
    const zeros = () => new Float32Array(this.maxBatch * this.size)
    const n = this.maxBatch
    const { outWidth: w, outHeight: h } = this.params
    try {
      if (this.local) await runCpuSession(this.local, this.inputName, zeros(), [n, 3, h, w])
      else await Promise.all(this.runners.map((r) => r.ask({ op: 'run', parts: [zeros()], n })))
    } catch (e) {
      await this.close()
      throw e
    }
    return this
  }

  async infer(images: GrayImage[]): Promise<EngineRun> {
    if (this.runners.length) return this.inferItems(images)
    const { outWidth: w, outHeight: h } = this.params
    const input = new Float32Array(images.length * this.size)
    let preprocessMs = 0
    for (let i = 0; i < images.length; i++) {
      // On the event loop: yield between images so other requests get a turn.
      if (i > 0) await new Promise((r) => setImmediate(r))
      const t0 = performance.now()
      preprocessCpu(images[i], this.params, input, i * 3 * w * h)
      preprocessMs += performance.now() - t0
    }
    const r = await this.inferTensor(input, images.length)
    return { ...r, preprocessMs }
  }

  /** Model outputs for `n` preprocessed images: one [n,3,H,W] tensor, or one [3,H,W] tensor per image. */
  inferTensor(input: Float32Array | Float32Array[], n: number): Promise<EngineRun> {
    if (Array.isArray(input)) return this.inferItems(input)
    return this.inferItems(Array.from({ length: n }, (_, i) => input.subarray(i * this.size, (i + 1) * this.size)))
  }

  /**
   * One batch of decoded images and preprocessed tensors together, in order. A model worker
   * preprocesses the images itself.
   */
  async inferItems(items: (GrayImage | Float32Array)[]): Promise<EngineRun> {
    const t0 = performance.now()
    try {
      const outs: EngineOutput[] = []
      let preprocessMs = 0
      let waitMs = 0
      // Runs of at most maxBatch images: the memory arena grows with the largest run.
      for (let i = 0; i < items.length; i += this.maxBatch) {
        const run = items.slice(i, i + this.maxBatch)
        const r = await this.runOnce(run)
        preprocessMs += r.prepMs
        waitMs += r.waitMs
        outs.push({ count: run.length, logits: r.logits, cam: r.cam })
      }
      return { output: concatOutputs(outs), preprocessMs, inferenceMs: performance.now() - t0 - preprocessMs - waitMs, waitMs }
    } catch (cause) {
      if (cause instanceof XrayError) throw cause
      throw new XrayError('INFERENCE_FAILED', `onnxruntime (CPU) inference failed: ${(cause as Error).message}`, { cause })
    }
  }

  /** One run; `waitMs`: how long it waited in its model worker's queue for the run before it. */
  private async runOnce(items: (GrayImage | Float32Array)[]): Promise<{ logits: Float32Array; cam: Float32Array; prepMs: number; waitMs: number }> {
    const { outWidth: w, outHeight: h } = this.params
    const n = items.length
    if (this.local) {
      const t0 = performance.now()
      const input = new Float32Array(n * this.size)
      items.forEach((it, i) => (it instanceof Float32Array ? input.set(it, i * this.size) : preprocessCpu(it, this.params, input, i * this.size)))
      const prepMs = performance.now() - t0
      const out = await this.mutex.run(() => runCpuSession(this.local!, this.inputName, input, [n, 3, h, w]))
      return { ...out, prepMs, waitMs: 0 }
    }
    // The least busy model worker.
    const k = this.busy.indexOf(Math.min(...this.busy))
    this.busy[k]++
    try {
      const parts = items.map((it) => (it instanceof Float32Array ? it : { width: it.width, height: it.height, data: shared(it.data) }))
      const sent = performance.now()
      const r = await this.runners[k]!.ask<{ id: number; ok: true; logits: Float32Array; cam: Float32Array; prepMs: number; ms: number; waitMs: number }>({ op: 'run', parts, n })
      return { logits: r.logits, cam: r.cam, prepMs: r.prepMs, waitMs: Math.min(r.waitMs, performance.now() - sent) }
    } finally {
      this.busy[k]--
    }
  }

  gpuBytes(): number {
    return 0
  }

  private closed = false

  /** Stops the workers (or releases the session); later calls do nothing. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.local?.session.release()
    await Promise.all(this.runners.map((w) => w.close()))
  }
}


