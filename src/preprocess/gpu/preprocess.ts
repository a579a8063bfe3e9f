import type { GrayImage } from '../../imaging/decode.ts'
import { packBatch, type PackedBatch } from '../pack.ts'
import type { PreprocessParams } from '../params.ts'
import { BufferPool } from './buffers.ts'
import type { ComputePass, Workgroup } from './passes/compute-pass.ts'
import { createResizeColsNormalize } from './passes/resize-cols-normalize.ts'
import { createResizeRows } from './passes/resize-rows.ts'

const PARAMS_BYTES = 48 // 4 x u32 + mean vec4f + std vec4f, see shaders/batch_layout.wgsl

/** A batch written to the GPU, ready for the passes. */
export interface UploadedBatch {
  packed: PackedBatch
  params: GPUBuffer
  images: GPUBuffer
  tapIndex: GPUBuffer
  tapWeight: GPUBuffer
  pixels: GPUBuffer
  tmp: GPUBuffer
}

/**
 * Runs the WGSL preprocessing for a batch of decoded images of any sizes and leaves the model
 * input (NCHW f32) in a GPU buffer on `device`, ready for ort.Tensor.fromGpuBuffer.
 * Not re-entrant: the caller serializes runs (buffers are reused).
 */
export class GpuPreprocessor {
  private readonly rows: ComputePass
  private readonly cols: ComputePass
  private readonly pool: BufferPool
  /** One output buffer per batch size, kept: ORT registers external buffers by identity. */
  private readonly outputs = new Map<number, GPUBuffer>()

  constructor(readonly device: GPUDevice, readonly params: PreprocessParams, wg?: Workgroup) {
    this.rows = createResizeRows(device, wg)
    this.cols = createResizeColsNormalize(device, wg)
    this.pool = new BufferPool(device, 'Preprocess')
  }

  /** Encodes and submits both passes; returns the output buffer for `batch.length` images. */
  run(batch: GrayImage[]): GPUBuffer {
    const bound = this.upload(packBatch(batch, this.params))
    const out = this.output(batch.length)
    const encoder = this.device.createCommandEncoder({ label: 'Preprocess' })
    this.encode(encoder, bound, out)
    this.device.queue.submit([encoder.finish()])
    return out
  }

  /** Writes a packed batch into the (reused) input buffers. */
  upload(packed: PackedBatch): UploadedBatch {
    const p = this.params
    const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST
    const params = new ArrayBuffer(PARAMS_BYTES)
    new Uint32Array(params, 0, 4).set([p.outWidth, p.outHeight, packed.count, packed.maxHeight])
    new Float32Array(params, 16, 8).set([...p.mean, 0, ...p.std, 0])
    return {
      packed,
      params: this.pool.get('params', PARAMS_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, new Uint8Array(params)),
      images: this.pool.get('images', packed.images.byteLength, S, packed.images),
      tapIndex: this.pool.get('tapIndex', packed.tapIndex.byteLength, S, packed.tapIndex),
      tapWeight: this.pool.get('tapWeight', packed.tapWeight.byteLength, S, packed.tapWeight),
      pixels: this.pool.get('pixels', packed.pixels.byteLength, S, packed.pixels),
      tmp: this.pool.get('tmp', packed.tmpLength * 4, GPUBufferUsage.STORAGE),
    }
  }

  /** Records both passes over an uploaded batch into `encoder`, writing `out`. */
  encode(encoder: GPUCommandEncoder, b: UploadedBatch, out: GPUBuffer): void {
    const p = this.params
    const { count, maxHeight } = b.packed
    this.rows.run(encoder, [b.params, b.images, b.tapIndex, b.tapWeight, b.pixels, b.tmp], [p.outWidth, maxHeight, count])
    this.cols.run(encoder, [b.params, b.images, b.tapIndex, b.tapWeight, b.tmp, out], [p.outWidth, p.outHeight, count])
  }

  /** The output buffer for a batch of `n` images. */
  output(n: number): GPUBuffer {
    let buf = this.outputs.get(n)
    if (!buf) {
      buf = this.device.createBuffer({
        label: `Preprocess.out[${n}]`,
        size: n * 3 * this.params.outWidth * this.params.outHeight * 4,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      })
      this.outputs.set(n, buf)
    }
    return buf
  }

  /** Bytes of GPU memory held by preprocessing buffers. */
  get bytes(): number {
    let n = this.pool.bytes
    for (const b of this.outputs.values()) n += b.size
    return n
  }

  destroy(): void {
    this.pool.destroy()
    for (const b of this.outputs.values()) b.destroy()
    this.outputs.clear()
  }
}
