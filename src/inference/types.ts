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
}

/** One model on one device. Implementations serialize their own runs. */
export interface Engine {
  readonly kind: 'webgpu' | 'cpu'
  /** Adapter description, or a CPU description. */
  readonly deviceName: string
  /** Decoded images of any sizes -> model outputs, preprocessing included. */
  infer(images: GrayImage[]): Promise<EngineRun>
  /** An already preprocessed NCHW f32 batch [n, 3, H, W] -> model outputs. */
  inferTensor(input: Float32Array, n: number): Promise<EngineRun>
  /** Draws a heatmap on the engine's GPU device (WebGPU engine only; the CPU reference otherwise). */
  renderHeatmap?: GpuHeatmapRenderer
  /** Bytes of GPU memory held by our own buffers (0 on the CPU). */
  gpuBytes(): number
  close(): Promise<void>
}

/** Outputs of consecutive runs, as one. */
export function concatOutputs(outs: EngineOutput[]): EngineOutput {
  if (outs.length === 1) return outs[0]
  const cat = (parts: Float32Array[]) => {
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
    let o = 0
    for (const p of parts) {
      all.set(p, o)
      o += p.length
    }
    return all
  }
  return { count: outs.reduce((n, o) => n + o.count, 0), logits: cat(outs.map((o) => o.logits)), cam: cat(outs.map((o) => o.cam)) }
}
