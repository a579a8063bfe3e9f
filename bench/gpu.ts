import { BufferPool, readBuffer } from '../src/gpu/buffers.ts'
import { adapterName, selectAdapter, summarizeAdapter, type AdapterSummary } from '../src/gpu/dawn.ts'
import type { ComputePass } from '../src/gpu/passes/compute-pass.ts'
import { createResizeColsNormalize } from '../src/gpu/passes/resize-cols-normalize.ts'
import { createResizeRows } from '../src/gpu/passes/resize-rows.ts'
import type { GrayImage } from '../src/imaging/decode.ts'
import { packBatch, type PackedBatch } from '../src/preprocess/pack.ts'
import type { PreprocessParams } from '../src/preprocess/params.ts'

export interface Gpu {
  adapter: GPUAdapter
  device: GPUDevice
  summary: AdapterSummary
  name: string
}

/** The WebGPU adapter the product would take with DEVICE=gpu (lavapipe here), or why there is none. */
export async function openGpu(): Promise<Gpu | { skipped: string }> {
  let adapter: GPUAdapter | null
  try {
    adapter = await selectAdapter(true)
  } catch (e) {
    return { skipped: (e as Error).message }
  }
  if (!adapter) return { skipped: 'no WebGPU adapter (run scripts/setup-lavapipe.sh, or set VK_DRIVER_FILES)' }
  const device = await adapter.requestDevice({
    label: 'bench',
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  })
  const summary = summarizeAdapter(adapter)
  return { adapter, device, summary, name: adapterName(summary) }
}

const PARAMS_BYTES = 48 // as GpuPreprocessor: 4 x u32 + mean vec4f + std vec4f

/**
 * The two passes of GpuPreprocessor.run split into stages that can be timed one by one:
 * pack (host), upload (writeBuffer until the queue is idle), dispatch (encode, submit, until the
 * queue is idle). Same buffers, same passes, same dispatch grid as src/gpu/preprocess.ts.
 */
export class StagedPreprocess {
  private readonly rows: ComputePass
  private readonly cols: ComputePass
  private readonly pool: BufferPool
  private out?: GPUBuffer
  private bound?: { packed: PackedBatch; b: Record<'params' | 'images' | 'tapIndex' | 'tapWeight' | 'pixels' | 'tmp', GPUBuffer> }

  constructor(readonly device: GPUDevice, readonly params: PreprocessParams) {
    this.rows = createResizeRows(device)
    this.cols = createResizeColsNormalize(device)
    this.pool = new BufferPool(device, 'BenchPreprocess')
  }

  pack(batch: GrayImage[]): PackedBatch {
    return packBatch(batch, this.params)
  }

  /** writeBuffer of everything the passes read, then waits until the GPU has it. */
  async upload(packed: PackedBatch): Promise<void> {
    const p = this.params
    const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST
    const params = new ArrayBuffer(PARAMS_BYTES)
    new Uint32Array(params, 0, 4).set([p.outWidth, p.outHeight, packed.count, packed.maxHeight])
    new Float32Array(params, 16, 8).set([...p.mean, 0, ...p.std, 0])
    const b = {
      params: this.pool.get('params', PARAMS_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, new Uint8Array(params)),
      images: this.pool.get('images', packed.images.byteLength, S, packed.images),
      tapIndex: this.pool.get('tapIndex', packed.tapIndex.byteLength, S, packed.tapIndex),
      tapWeight: this.pool.get('tapWeight', packed.tapWeight.byteLength, S, packed.tapWeight),
      pixels: this.pool.get('pixels', packed.pixels.byteLength, S, packed.pixels),
      tmp: this.pool.get('tmp', packed.tmpLength * 4, GPUBufferUsage.STORAGE),
    }
    this.device.queue.submit([]) // flushes the pending writes
    await this.device.queue.onSubmittedWorkDone()
    this.bound = { packed, b }
  }

  /** Both passes on the uploaded batch; resolves when the GPU is done. */
  async dispatch(): Promise<GPUBuffer> {
    if (!this.bound) throw new Error('upload() first')
    const { packed, b } = this.bound
    const p = this.params
    const size = packed.outLength * 4
    if (!this.out || this.out.size < size) {
      this.out?.destroy()
      this.out = this.device.createBuffer({ label: 'BenchPreprocess.out', size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC })
    }
    const encoder = this.device.createCommandEncoder({ label: 'BenchPreprocess' })
    this.rows.run(encoder, [b.params, b.images, b.tapIndex, b.tapWeight, b.pixels, b.tmp], [p.outWidth, packed.maxHeight, packed.count])
    this.cols.run(encoder, [b.params, b.images, b.tapIndex, b.tapWeight, b.tmp, this.out], [p.outWidth, p.outHeight, packed.count])
    this.device.queue.submit([encoder.finish()])
    await this.device.queue.onSubmittedWorkDone()
    return this.out
  }

  /** Copies the output back to the host (copy to a MAP_READ buffer, mapAsync). */
  async readback(): Promise<Float32Array> {
    if (!this.out || !this.bound) throw new Error('dispatch() first')
    return new Float32Array(await readBuffer(this.device, this.out, this.bound.packed.outLength * 4))
  }

  destroy(): void {
    this.pool.destroy()
    this.out?.destroy()
  }
}
