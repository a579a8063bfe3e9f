import { logger } from '../log.ts'
import v8 from 'node:v8'
import type * as OrtWeb from 'onnxruntime-web'
import { XrayError } from '../errors/index.ts'
import { adapterName, selectAdapter, summarizeAdapter } from '../gpu/dawn.ts'
import { splitToFit } from '../preprocess/gpu/batch-limits.ts'
import { GpuPreprocessor } from '../preprocess/gpu/preprocess.ts'
import { GpuHeatmap } from '../heatmap/gpu/heatmap.ts'
import type { HeatmapJob, HeatmapPixels, HeatmapWants } from '../heatmap/types.ts'
import type { GrayImage } from '../imaging/decode.ts'
import type { LoadedModel } from '../models/manifest.ts'
import type { PreprocessParams } from '../preprocess/params.ts'
import { ortWebBundleUrl } from '../runtime/native.ts'
import { Mutex } from './mutex.ts'
import { concatOutputs, concatTensors, type Engine, type EngineOutput, type EngineRun } from './types.ts'

const log = logger('webgpu')
type Ort = typeof OrtWeb

export interface AdapterChoice {
  allowSoftware: boolean
  dawnFlags?: string[]
}

let generation = 0

/**
 * A fresh instance of onnxruntime-web with its JSEP WebGPU backend. The backend binds itself to
 * one GPUDevice for the life of the module instance, so recovering from a device loss takes a new
 * instance (a new module URL).
 */
async function loadOrtWeb(): Promise<Ort> {
  // Node 20's TurboFan stalls 40-75 s on ORT's wasm; Liftoff alone compiles it at once.
  v8.setFlagsFromString('--liftoff-only')
  const url = ortWebBundleUrl()
  const m = await import(generation++ === 0 ? url : `${url}?instance=${generation}`)
  const ort = ((m as { default?: Ort }).default ?? m) as Ort
  ort.env.wasm.numThreads = 1 // threads are unsupported by the browser bundle under Node
  ort.env.logLevel = 'error'
  return ort
}

/**
 * WebGPU engine: WGSL preprocessing writes the model input into a GPU buffer on the device that
 * onnxruntime-web uses, and the session reads that buffer directly (Tensor.fromGpuBuffer).
 * After a device loss the next call rebuilds the session and the pipelines.
 */
export class WebGpuEngine implements Engine {
  readonly kind = 'webgpu'
  readonly deviceName: string
  private readonly mutex = new Mutex()
  private state?: { session: OrtWeb.InferenceSession; device: GPUDevice; pre: GpuPreprocessor; heatmap?: GpuHeatmap; lost: boolean }

  private ort!: Ort
  private adapterUsed = false

  private constructor(private adapter: GPUAdapter, private readonly selection: AdapterChoice, private readonly model: LoadedModel, private readonly params: PreprocessParams) {
    this.deviceName = adapterName(summarizeAdapter(adapter))
  }

  /** `selection` says how to pick a new adapter after a device loss (as the first was picked). */
  static async create(adapter: GPUAdapter, selection: AdapterChoice, model: LoadedModel, params: PreprocessParams): Promise<WebGpuEngine> {
    const engine = new WebGpuEngine(adapter, selection, model, params)
    await engine.open()
    return engine
  }

  private async open() {
    this.ort = await loadOrtWeb()
    this.ort.env.webgpu.adapter = this.adapter as unknown as typeof this.ort.env.webgpu.adapter
    this.adapterUsed = true // an adapter hands out one device: a rebuild needs a new one
    let session: OrtWeb.InferenceSession | undefined
    let device: GPUDevice | undefined
    try {
      session = await this.ort.InferenceSession.create(this.model.bytes, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' })
      device = (await this.ort.env.webgpu.device) as unknown as GPUDevice
      device.pushErrorScope('validation')
      const pre = new GpuPreprocessor(device, this.params)
      const err = await device.popErrorScope()
      if (err) throw new XrayError('GPU_ERROR', `preprocessing shaders failed to build: ${err.message}`)
      const state = { session, device, pre, lost: false }
      device.lost.then((info) => {
        state.lost = true
        if (info.reason !== 'destroyed' || this.state === state) log.warn(`GPU device lost (${info.reason}): ${info.message}`)
      })
      this.state = state
    } catch (cause) {
      await session?.release().catch(() => undefined)
      device?.destroy()
      if (cause instanceof XrayError) throw cause
      throw new XrayError('GPU_ERROR', `onnxruntime-web (WebGPU) cannot load model ${this.model.manifest.name}: ${(cause as Error).message}`, { cause })
    }
  }

  /** Ensures a live device and session, rebuilding them after a loss (or a failed rebuild). */
  private async live() {
    if (this.state && !this.state.lost) return this.state
    log.info('rebuilding the WebGPU session after a device loss')
    if (this.state) {
      this.state.pre.destroy()
      this.state.heatmap?.destroy()
      await this.state.session.release().catch(() => undefined)
      this.state = undefined
    }
    if (this.adapterUsed) {
      const adapter = await selectAdapter({ allowSoftware: this.selection.allowSoftware, flags: this.selection.dawnFlags })
      if (!adapter) throw new XrayError('NO_GPU', 'the GPU was lost and no adapter is available now')
      this.adapter = adapter
      this.adapterUsed = false
    }
    await this.open()
    return this.state!
  }

  /** Simulates a device loss (tests, `xrayops` diagnostics). */
  loseDevice(): void {
    this.state?.device.destroy()
  }

  infer(images: GrayImage[]): Promise<EngineRun> {
    return this.mutex.run(async () => {
      const s = await this.live()
      const runs = splitToFit(images, this.params.outWidth, s.device.limits)
      const outs: EngineOutput[] = []
      let preprocessMs = 0
      let inferenceMs = 0
      for (const run of runs) {
        const t0 = performance.now()
        const buffer = await this.preprocess(s, run)
        const t1 = performance.now()
        const { outWidth: w, outHeight: h } = this.params
        const input = this.ort.Tensor.fromGpuBuffer(buffer as unknown as OrtWeb.Tensor.GpuBufferType, { dataType: 'float32', dims: [run.length, 3, h, w] })
        outs.push(await this.runSession(s.session, input, run.length))
        preprocessMs += t1 - t0
        inferenceMs += performance.now() - t1
      }
      return { output: concatOutputs(outs), preprocessMs, inferenceMs }
    })
  }

  /** Runs the WGSL passes; a validation or memory error fails the call instead of leaving stale input. */
  private async preprocess(s: NonNullable<WebGpuEngine['state']>, images: GrayImage[]): Promise<GPUBuffer> {
    s.device.pushErrorScope('out-of-memory')
    s.device.pushErrorScope('validation')
    const buffer = s.pre.run(images)
    const errors = [await s.device.popErrorScope(), await s.device.popErrorScope()].filter(Boolean)
    if (errors.length) throw new XrayError('GPU_ERROR', `WebGPU preprocessing failed: ${errors.map((e) => e!.message).join('; ')}`)
    return buffer
  }

  /**
   * The heatmap passes on the engine's own device, built on first use (and again after a device
   * loss); runs between batches, under the engine's lock. Validation and memory errors fail the call.
   */
  renderHeatmap(job: HeatmapJob, wants: HeatmapWants): Promise<HeatmapPixels> {
    return this.mutex.run(async () => {
      const s = await this.live()
      s.device.pushErrorScope('out-of-memory')
      s.device.pushErrorScope('validation')
      let submitted = false
      try {
        s.heatmap ??= new GpuHeatmap(s.device)
        s.heatmap.submit(job)
        submitted = true
      } finally {
        const errors = [await s.device.popErrorScope(), await s.device.popErrorScope()].filter(Boolean)
        if (errors.length || !submitted) {
          s.heatmap?.destroy()
          s.heatmap = undefined
        }
        if (errors.length) throw new XrayError('GPU_ERROR', `WebGPU heatmap failed: ${errors.map((e) => e!.message).join('; ')}`)
      }
      return s.heatmap!.read(job, wants)
    })
  }

  inferTensor(input: Float32Array | Float32Array[], n: number): Promise<EngineRun> {
    const data = Array.isArray(input) ? concatTensors(input) : input
    return this.mutex.run(async () => {
      const s = await this.live()
      const t0 = performance.now()
      const { outWidth: w, outHeight: h } = this.params
      const output = await this.runSession(s.session, new this.ort.Tensor('float32', data, [n, 3, h, w]), n)
      return { output, preprocessMs: 0, inferenceMs: performance.now() - t0 }
    })
  }

  private async runSession(session: OrtWeb.InferenceSession, input: OrtWeb.Tensor, n: number) {
    try {
      const out = await session.run({ [this.model.manifest.input.name]: input })
      const logits = (await out.logits.getData()) as Float32Array
      const cam = (await out.cam.getData()) as Float32Array
      return { count: n, logits, cam }
    } catch (cause) {
      if (this.state) this.state.lost ||= (cause as Error).message.includes('lost')
      throw new XrayError('INFERENCE_FAILED', `WebGPU inference failed: ${(cause as Error).message}`, { cause })
    }
  }

  gpuBytes(): number {
    return (this.state?.pre.bytes ?? 0) + (this.state?.heatmap?.bytes ?? 0)
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => {
      this.state?.pre.destroy()
      this.state?.heatmap?.destroy()
      await this.state?.session.release()
      this.state = undefined
    })
  }
}
