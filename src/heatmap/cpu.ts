import { colormapTable } from './colormap.ts'
import { CAM_SIZE } from './cam.ts'
import type { HeatmapJob, HeatmapPixels, HeatmapWants } from './types.ts'

/**
 * The CPU reference of the heatmap (and the renderer on CPU hosts); shaders/heatmap_*.wgsl do
 * the same in f32.
 * - Upsampling: bilinear with half-pixel centres, clamped at the edges: output pixel x samples
 *   the 7x7 grid at s = (x + 0.5) * 7 / width - 0.5, clamped to [0, 6] (as the preprocessing's
 *   `bilinear` resize when enlarging).
 * - Colour: the inferno table (colormap.ts), linearly interpolated at h * 255.
 * - Overlay: gray * (1 - opacity * h) + colour * opacity * h, each channel rounded to 8 bits.
 */
export function sourceCoord(o: number, outSize: number, inSize = CAM_SIZE): number {
  const s = ((o + 0.5) * inSize) / outSize - 0.5
  return Math.min(Math.max(s, 0), inSize - 1)
}

/** h at every output pixel of rows [y0, y1), written into `heat`. */
export function upsampleRows(cam: Float32Array, width: number, height: number, y0: number, y1: number, heat: Float32Array): void {
  const n = CAM_SIZE
  const xs = Array.from({ length: width }, (_, x) => sourceCoord(x, width))
  for (let y = y0; y < y1; y++) {
    const sy = sourceCoord(y, height)
    const r0 = Math.floor(sy)
    const r1 = Math.min(r0 + 1, n - 1)
    const fy = sy - r0
    for (let x = 0; x < width; x++) {
      const sx = xs[x]
      const c0 = Math.floor(sx)
      const c1 = Math.min(c0 + 1, n - 1)
      const fx = sx - c0
      const top = cam[r0 * n + c0] + (cam[r0 * n + c1] - cam[r0 * n + c0]) * fx
      const bottom = cam[r1 * n + c0] + (cam[r1 * n + c1] - cam[r1 * n + c0]) * fx
      heat[y * width + x] = top + (bottom - top) * fy
    }
  }
}

const byte = (v: number) => Math.floor(Math.min(Math.max(v, 0), 1) * 255 + 0.5)

/** colour(h) as [r, g, b] in 0..1. */
export function colour(h: number): [number, number, number] {
  const t = Math.min(Math.max(h, 0), 1) * 255
  const i = Math.min(Math.floor(t), 254)
  const f = t - i
  const c = colormapTable
  return [0, 1, 2].map((k) => c[i * 4 + k] + (c[(i + 1) * 4 + k] - c[i * 4 + k]) * f) as [number, number, number]
}

/** Colours rows [y0, y1) of an upsampled map into the overlay (and the layer). */
export function colorizeRows(job: HeatmapJob, heat: Float32Array, y0: number, y1: number, overlay: Uint8Array, layer?: Uint8Array): void {
  const c = colormapTable
  for (let i = y0 * job.width; i < y1 * job.width; i++) {
    const h = heat[i]
    const t = Math.min(Math.max(h, 0), 1) * 255
    const j = Math.min(Math.floor(t), 254) * 4
    const f = t - j / 4
    const g = job.gray[i] / 255
    const a = job.opacity * h
    for (let k = 0; k < 3; k++) {
      const ck = c[j + k] + (c[j + 4 + k] - c[j + k]) * f // colour(h), inlined
      overlay[i * 4 + k] = byte(g + (ck - g) * a)
      if (layer) layer[i * 4 + k] = byte(ck)
    }
    overlay[i * 4 + 3] = 255
    if (layer) layer[i * 4 + 3] = byte(h)
  }
}

/** Rows per slice between yields to the event loop (about 256k pixels each). */
const slice = (width: number) => Math.max(1, Math.floor(262_144 / width))

/** The whole heatmap on the CPU, yielding to the event loop between slices of rows. */
export async function renderCpu(job: HeatmapJob, wants: HeatmapWants = {}): Promise<HeatmapPixels> {
  const { width, height } = job
  const heat = new Float32Array(width * height)
  const overlay = new Uint8Array(width * height * 4)
  const layer = wants.layer ? new Uint8Array(width * height * 4) : undefined
  const step = slice(width)
  for (let y = 0; y < height; y += step) {
    if (y > 0) await new Promise((r) => setImmediate(r))
    const y1 = Math.min(y + step, height)
    upsampleRows(job.cam, width, height, y, y1, heat)
    colorizeRows(job, heat, y, y1, overlay, layer)
  }
  return { overlay, ...(layer ? { layer } : {}), ...(wants.heat ? { heat } : {}) }
}
