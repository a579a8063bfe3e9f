/**
 * Resize methods. All are separable and computed from the same taps (cpu.ts computeTaps) on the GPU
 * (shaders/resize_*.wgsl) and on the CPU (cpu.ts): output pixel x samples the source around center (x + 0.5) * scale.
 * - bilinear: 2-tap linear interpolation (half-pixel centers), no antialiasing;
 * - triangle: linear filter stretched by the downscale ratio (antialiased bilinear, as PIL);
 * - area: box filter stretched by the ratio (area averaging).
 */
export const resizeMethods = ['bilinear', 'triangle', 'area'] as const
export type ResizeMethod = (typeof resizeMethods)[number]

export interface PreprocessParams {
  outWidth: number
  outHeight: number
  method: ResizeMethod
  mean: [number, number, number]
  std: [number, number, number]
}
