import { readBuffer } from '../src/preprocess/gpu/buffers.ts'
import { adapterName, selectAdapter, summarizeAdapter, type AdapterSummary } from '../src/gpu/dawn.ts'
import { GpuPreprocessor, type UploadedBatch } from '../src/preprocess/gpu/preprocess.ts'
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
    adapter = await selectAdapter({ allowSoftware: true })
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

/**
 * GpuPreprocessor.run split into stages that can be timed one by one: pack (host), upload
 * (writeBuffer until the queue is idle), dispatch (encode, submit, until the queue is idle).
 */
export class StagedPreprocess {
  private readonly pre: GpuPreprocessor
  private bound?: UploadedBatch
  private out?: GPUBuffer

  constructor(readonly device: GPUDevice, readonly params: PreprocessParams) {
    this.pre = new GpuPreprocessor(device, params)
  }

  pack(batch: GrayImage[]): PackedBatch {
    return packBatch(batch, this.params)
  }

  /** writeBuffer of everything the passes read, then waits until the GPU has it. */
  async upload(packed: PackedBatch): Promise<void> {
    this.bound = this.pre.upload(packed)
    this.device.queue.submit([]) // flushes the pending writes
    await this.device.queue.onSubmittedWorkDone()
  }

  /** Both passes on the uploaded batch; resolves when the GPU is done. */
  async dispatch(): Promise<GPUBuffer> {
    if (!this.bound) throw new Error('upload() first')
    this.out = this.pre.output(this.bound.packed.count)
    const encoder = this.device.createCommandEncoder({ label: 'BenchPreprocess' })
    this.pre.encode(encoder, this.bound, this.out)
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
    this.pre.destroy()
  }
}
