import { BufferPool, readBuffer } from '../../preprocess/gpu/buffers.ts'
import type { ComputePass, Workgroup } from '../../preprocess/gpu/passes/compute-pass.ts'
import { CAM_SIZE } from '../cam.ts'
import { colormapTable } from '../colormap.ts'
import type { HeatmapJob, HeatmapPixels, HeatmapWants } from '../types.ts'
import { createHeatmapColorize, createHeatmapUpsample } from './passes.ts'

const PARAMS_BYTES = 32 // 4 x u32 + f32 + 3 x u32 padding, see shaders/heatmap_layout.wgsl

/**
 * The heatmap's WGSL passes on one device: upsample the scaled map, then colour and blend it.
 * Not re-entrant: the caller serializes `render` calls (buffers are reused).
 */
export class GpuHeatmap {
  private readonly upsample: ComputePass
  private readonly colorize: ComputePass
  private readonly pool: BufferPool
  private last?: { heat: GPUBuffer; overlay: GPUBuffer; layer: GPUBuffer }

  constructor(readonly device: GPUDevice, wg: Workgroup = { x: 16, y: 8 }) {
    this.upsample = createHeatmapUpsample(device, wg)
    this.colorize = createHeatmapColorize(device, wg)
    this.pool = new BufferPool(device, 'Heatmap')
  }

  /** Uploads a job and submits both passes (synchronous: errors land in the caller's error scopes). */
  submit(job: HeatmapJob): void {
    const { width: w, height: h } = job
    const n = w * h
    const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST
    const R = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC
    const params = new ArrayBuffer(PARAMS_BYTES)
    new Uint32Array(params, 0, 4).set([w, h, CAM_SIZE, CAM_SIZE])
    new Float32Array(params, 16, 1)[0] = job.opacity
    const gray = new Uint8Array(Math.ceil(n / 4) * 4) // whole words for writeBuffer
    gray.set(job.gray.subarray(0, n))
    const b = {
      params: this.pool.get('params', PARAMS_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, new Uint8Array(params)),
      cam: this.pool.get('cam', job.cam.byteLength, S, job.cam),
      lut: this.pool.get('lut', colormapTable.byteLength, S, colormapTable),
      gray: this.pool.get('gray', gray.byteLength, S, gray),
      heat: this.pool.get('heat', n * 4, R),
      overlay: this.pool.get('overlay', n * 4, R),
      layer: this.pool.get('layer', n * 4, R),
    }
    const encoder = this.device.createCommandEncoder({ label: 'Heatmap' })
    this.upsample.run(encoder, [b.params, b.cam, b.heat], [w, h, 1])
    this.colorize.run(encoder, [b.params, b.heat, b.gray, b.lut, b.overlay, b.layer], [w, h, 1])
    this.device.queue.submit([encoder.finish()])
    this.last = b
  }

  /** Reads back the last submitted job's results (mapAsync: the event loop stays free). */
  async read(job: HeatmapJob, wants: HeatmapWants = {}): Promise<HeatmapPixels> {
    const bytes = job.width * job.height * 4
    const last = this.last
    if (!last) throw new Error('GpuHeatmap.read before submit')
    const get = (role: 'heat' | 'overlay' | 'layer') => readBuffer(this.device, last[role], bytes)
    const overlay = new Uint8Array(await get('overlay'))
    const layer = wants.layer ? new Uint8Array(await get('layer')) : undefined
    const heat = wants.heat ? new Float32Array(await get('heat')) : undefined
    return { overlay, ...(layer ? { layer } : {}), ...(heat ? { heat } : {}) }
  }

  /** Bytes of GPU memory held by the heatmap's buffers. */
  get bytes(): number {
    return this.pool.bytes
  }

  destroy(): void {
    this.pool.destroy()
  }
}
