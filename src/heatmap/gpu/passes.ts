import layout from '../../../shaders/heatmap_layout.wgsl'
import colorize from '../../../shaders/heatmap_colorize.wgsl'
import upsample from '../../../shaders/heatmap_upsample.wgsl'
import { ComputePass, type Workgroup } from '../../preprocess/gpu/passes/compute-pass.ts'

/** Pass 1: the scaled 7x7 map upsampled to the output. Buffers: params, cam, heat. Grid: width x height. */
export const createHeatmapUpsample = (device: GPUDevice, wg: Workgroup) =>
  new ComputePass(device, 'HeatmapUpsample', `${layout}\n${upsample}`, ['uniform', 'read-only-storage', 'storage'], wg)

/** Pass 2: colour map and blend. Buffers: params, heat, gray, lut, overlay, layer. Grid: width x height. */
export const createHeatmapColorize = (device: GPUDevice, wg: Workgroup) =>
  new ComputePass(device, 'HeatmapColorize', `${layout}\n${colorize}`, ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage'], wg)
