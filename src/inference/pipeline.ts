import { logger } from '../log.ts'
import { parseDeviceMode, type DeviceMode } from '../config/device.ts'
import { XrayError } from '../errors/index.ts'
import { selectAdapter } from '../gpu/dawn.ts'
import { decodeImage, defaultDecodeLimits, type DecodeLimits, type GrayImage } from '../imaging/decode.ts'
import { loadModel, type LoadedModel } from '../models/manifest.ts'
import type { PreprocessParams, ResizeMethod } from '../preprocess/params.ts'
import { CpuEngine } from './cpu-engine.ts'
import { classify, type Classification } from './results.ts'
import type { Engine } from './types.ts'
import { WebGpuEngine } from './webgpu-engine.ts'

const log = logger('pipeline')

/** Chosen by accuracy on the 624 original-resolution test images: see docs/PREPROCESSING.md. */
export const DEFAULT_RESIZE: ResizeMethod = 'area'

export interface PipelineOptions {
  /** Model manifest (.json) or .onnx with a manifest beside it; the shipped model by default. */
  model?: string
  device?: DeviceMode
  resize?: ResizeMethod
  limits?: Partial<DecodeLimits>
}

export interface Timings {
  decode: number
  preprocess: number
  inference: number
}

export type ItemResult = ({ ok: true } & Classification & { timings: Timings }) | { ok: false; error: XrayError }

/** decode -> preprocess -> model -> classification, on the GPU or the CPU. */
export class Pipeline {
  private constructor(
    readonly model: LoadedModel,
    readonly engine: Engine,
    readonly params: PreprocessParams,
    readonly limits: DecodeLimits,
    /** Set when DEVICE=auto found a GPU but had to run on the CPU: why. */
    readonly fallback?: string,
  ) {}

  static async create(opts: PipelineOptions = {}): Promise<Pipeline> {
    const model = await loadModel(opts.model)
    const m = model.manifest
    const params: PreprocessParams = {
      outWidth: model.size.width,
      outHeight: model.size.height,
      method: opts.resize ?? DEFAULT_RESIZE,
      mean: m.preprocessing.mean,
      std: m.preprocessing.std,
    }
    const { engine, fallback } = await createEngine(opts.device ?? parseDeviceMode(process.env.DEVICE), model, params)
    return new Pipeline(model, engine, params, { ...defaultDecodeLimits, ...opts.limits }, fallback)
  }

  get device(): { kind: 'webgpu' | 'cpu'; name: string } {
    return { kind: this.engine.kind, name: this.engine.deviceName }
  }

  decode(bytes: Uint8Array): Promise<GrayImage> {
    return decodeImage(bytes, this.limits)
  }

  /** Classifies decoded images as one batch. */
  async classifyImages(images: GrayImage[]): Promise<{ results: Classification[]; preprocessMs: number; inferenceMs: number }> {
    if (images.length === 0) return { results: [], preprocessMs: 0, inferenceMs: 0 }
    const run = await this.engine.infer(images)
    const results = images.map((_, i) => classify(run.output, i, this.model.manifest))
    return { results, preprocessMs: run.preprocessMs, inferenceMs: run.inferenceMs }
  }

  /** Encoded images -> one result each; a bad image fails alone, the rest still run as a batch. */
  async predict(inputs: Uint8Array[]): Promise<ItemResult[]> {
    const decoded = await Promise.all(
      inputs.map(async (bytes) => {
        const t0 = performance.now()
        try {
          return { image: await this.decode(bytes), ms: performance.now() - t0 }
        } catch (e) {
          if (e instanceof XrayError) return { error: e }
          throw e
        }
      }),
    )
    const good = decoded.filter((d): d is { image: GrayImage; ms: number } => 'image' in d)
    const run = await this.classifyImages(good.map((d) => d.image))
    let k = 0
    return decoded.map((d) => {
      if ('error' in d) return { ok: false as const, error: d.error! }
      const r = run.results[k++]
      return { ok: true as const, ...r, timings: { decode: d.ms, preprocess: run.preprocessMs, inference: run.inferenceMs } }
    })
  }

  close(): Promise<void> {
    return this.engine.close()
  }
}

/** The engine for `mode`, and why it is the CPU when a GPU adapter was there but failed. */
async function createEngine(mode: DeviceMode, model: LoadedModel, params: PreprocessParams): Promise<{ engine: Engine; fallback?: string }> {
  if (mode === 'cpu') return { engine: await CpuEngine.create(model, params) }
  let adapter: GPUAdapter | null = null
  try {
    adapter = await selectAdapter(mode === 'gpu')
  } catch (e) {
    if (mode === 'gpu') throw e
    log.warn(`no WebGPU runtime, using the CPU: ${(e as Error).message}`)
  }
  if (!adapter) {
    if (mode === 'gpu') throw new XrayError('NO_GPU', 'DEVICE=gpu but no WebGPU adapter was found (is VK_DRIVER_FILES set to the driver ICD?)')
    log.info('no GPU adapter found; running on the CPU')
    return { engine: await CpuEngine.create(model, params) }
  }
  try {
    return { engine: await WebGpuEngine.create(adapter, mode === 'gpu', model, params) }
  } catch (e) {
    if (mode === 'gpu') throw e
    const fallback = `a GPU adapter was found but the WebGPU engine failed to start: ${(e as Error).message}`
    log.warn(`${fallback}; using the CPU`)
    return { engine: await CpuEngine.create(model, params), fallback }
  }
}
