import layout from '../../../../shaders/batch_layout.wgsl'
import code from '../../../../shaders/resize_cols_normalize.wgsl'
import { ComputePass, type Workgroup } from './compute-pass.ts'

/**
 * Pass 2: columns resampled to the output height, then normalized per channel into NCHW f32 x3.
 * Buffers: params, images, tapIndex, tapWeight, tmp, out. Grid: outWidth x outHeight x count.
 */
export const createResizeColsNormalize = (device: GPUDevice, wg: Workgroup = { x: 16, y: 4 }) =>
  new ComputePass(device, 'ResizeColsNormalize', `${layout}\n${code}`, ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage'], wg)
