/** What the renderers (CPU reference, WGSL passes) take: pixels to draw over and a scaled map. */
export interface HeatmapJob {
  /** Output size. */
  width: number
  height: number
  /** 8-bit luminance at the output size, row-major. */
  gray: Uint8Array
  /** The scaled 7x7 map (0..1), row-major (cam.ts). */
  cam: Float32Array
  /** Opacity of the colour at full heat in the overlay, 0..1. */
  opacity: number
}

/** What the renderers give back, row-major at the output size. */
export interface HeatmapPixels {
  /** RGBA8: gray * (1 - opacity * h) + colour(h) * opacity * h; alpha 255. */
  overlay: Uint8Array
  /** RGBA8, straight alpha: colour(h) with alpha h (drawn over the image at `opacity` it gives the overlay). */
  layer?: Uint8Array
  /** h, the upsampled map before colour mapping (for tests). */
  heat?: Float32Array
}

export interface HeatmapWants {
  layer?: boolean
  heat?: boolean
}

/** Renders on a GPU; absent where the CPU reference is used. */
export type GpuHeatmapRenderer = (job: HeatmapJob, wants: HeatmapWants) => Promise<HeatmapPixels>
