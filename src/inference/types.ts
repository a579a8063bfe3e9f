import type { GpuHeatmapRenderer } from '../heatmap/types.ts'
import type { GrayImage } from '../imaging/decode.ts'

export interface EngineOutput {
  count: number
  /** [count, 2] */
  logits: Float32Array
  /** [count, 2, 7, 7] */
  cam: Float32Array
}

export interface EngineRun {
  output: EngineOutput
  /** Milliseconds spent preprocessing (host work and GPU submission) and running the model. */
  preprocessMs: number
  inferenceMs: number
  /** Milliseconds the run waited inside the engine for an earlier one (a model worker's queue). */
  waitMs?: number
}

/** One model on one device. Implementations serialize their own runs. */
export interface Engine {
  readonly kind: 'webgpu' | 'cpu'
  /** Adapter description, or a CPU description. */
  readonly deviceName: string
  /** Runs the engine takes at once (the CPU engine: two per model worker); 1 when absent. */
  readonly slots?: number
  /** Most images the engine wants in one run; no bound when absent. */
  readonly maxBatch?: number
  /** One run over decoded images and preprocessed [3, H, W] tensors, in order. */
  inferItems?(items: (GrayImage | Float32Array)[]): Promise<EngineRun>
  /** Decoded images of any sizes -> model outputs, preprocessing included. */
  infer(images: GrayImage[]): Promise<EngineRun>
  /** Preprocessed input -> model outputs: one NCHW f32 batch [n, 3, H, W], or one [3, H, W] tensor per image. */
  inferTensor(input: Float32Array | Float32Array[], n: number): Promise<EngineRun>
  /** Draws a heatmap on the engine's GPU device (WebGPU engine only; the CPU reference otherwise). */
  renderHeatmap?: GpuHeatmapRenderer
  /** Bytes of GPU memory held by our own buffers (0 on the CPU). */
  gpuBytes(): number
  close(): Promise<void>
}

/** Tensors laid end to end in one array (or the one tensor itself). */
export function concatTensors(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  parts.reduce((o, p) => (all.set(p, o), o + p.length), 0)
  return all
}

/** Outputs of consecutive runs, as one. */
export function concatOutputs(outs: EngineOutput[]): EngineOutput {
  if (outs.length === 1) return outs[0]
  return { count: outs.reduce((n, o) => n + o.count, 0), logits: concatTensors(outs.map((o) => o.logits)), cam: concatTensors(outs.map((o) => o.cam)) }
}
