import layout from '../../../../shaders/batch_layout.wgsl'
import code from '../../../../shaders/resize_rows.wgsl'
import { ComputePass, type Workgroup } from './compute-pass.ts'

/**
 * Pass 1: every source row of every image resampled to the output width (u8 -> f32 / 255).
 * Buffers: params, images, tapIndex, tapWeight, pixels, tmp. Grid: outWidth x maxHeight x count.
 */
export const createResizeRows = (device: GPUDevice, wg: Workgroup = { x: 16, y: 4 }) =>
  new ComputePass(device, 'ResizeRows', `${layout}\n${code}`, ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage'], wg)
