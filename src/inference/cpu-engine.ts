import os from 'node:os'
import type { InferenceSession } from 'onnxruntime-node'
import { XrayError } from '../errors/index.ts'
import type { GrayImage } from '../imaging/decode.ts'
import type { LoadedModel } from '../models/manifest.ts'
import { preprocessCpu } from '../preprocess/cpu.ts'
import type { PreprocessParams } from '../preprocess/params.ts'
import { loadOrtNode } from '../runtime/native.ts'
import { Mutex } from './mutex.ts'
import type { Engine, EngineRun } from './types.ts'

type Ort = typeof import('onnxruntime-node')

/**
 * CPU engine: TypeScript preprocessing (the same math as the WGSL passes) and onnxruntime-node's
 * CPU execution provider, which is 5-9x faster than onnxruntime-web's wasm on the same cores.
 */
export class CpuEngine implements Engine {
  readonly kind = 'cpu'
  readonly deviceName: string
  private readonly mutex = new Mutex()

  private constructor(private readonly ort: Ort, private readonly session: InferenceSession, private readonly model: LoadedModel, private readonly params: PreprocessParams, threads: number) {
    this.deviceName = `cpu (${os.cpus()[0]?.model?.trim() ?? os.arch()}, ${threads} threads)`
  }

  static async create(model: LoadedModel, params: PreprocessParams, threads = os.availableParallelism()): Promise<CpuEngine> {
    const ort = await loadOrtNode()
    try {
      const session = await ort.InferenceSession.create(model.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' })
      return new CpuEngine(ort, session, model, params, threads)
    } catch (cause) {
      throw new XrayError('MODEL_INVALID', `onnxruntime cannot load model ${model.manifest.name}: ${(cause as Error).message}`, { cause })
    }
  }

  async infer(images: GrayImage[]): Promise<EngineRun> {
    const { outWidth: w, outHeight: h } = this.params
    const input = new Float32Array(images.length * 3 * w * h)
    let preprocessMs = 0
    for (let i = 0; i < images.length; i++) {
      // Preprocessing runs on the event loop: yield between images so other requests get a turn.
      if (i > 0) await new Promise((r) => setImmediate(r))
      const t0 = performance.now()
      preprocessCpu(images[i], this.params, input, i * 3 * w * h)
      preprocessMs += performance.now() - t0
    }
    const r = await this.inferTensor(input, images.length)
    return { ...r, preprocessMs }
  }

  inferTensor(input: Float32Array, n: number): Promise<EngineRun> {
    const { outWidth: w, outHeight: h } = this.params
    return this.mutex.run(async () => {
      const t0 = performance.now()
      const feeds = { [this.model.manifest.input.name]: new this.ort.Tensor('float32', input, [n, 3, h, w]) }
      const out = await this.session.run(feeds).catch((cause: unknown) => {
        throw new XrayError('INFERENCE_FAILED', `onnxruntime (CPU) inference failed: ${(cause as Error).message}`, { cause })
      })
      return {
        output: { count: n, logits: out.logits.data as Float32Array, cam: out.cam.data as Float32Array },
        preprocessMs: 0,
        inferenceMs: performance.now() - t0,
      }
    })
  }

  gpuBytes(): number {
    return 0
  }

  private closed = false

  /** Releases the session; later calls do nothing. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.session.release()
  }
}
