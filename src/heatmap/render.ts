import { XrayError } from '../errors/index.ts'
import type { GrayImage } from '../imaging/decode.ts'
import { logger } from '../log.ts'
import { loadSharp } from '../runtime/native.ts'
import { CAM_MAP, contrastMap, normalizeMap } from './cam.ts'
import { COLORMAP } from './colormap.ts'
import { renderCpu } from './cpu.ts'
import type { GpuHeatmapRenderer, HeatmapJob, HeatmapPixels } from './types.ts'

const log = logger('heatmap')

/** Largest heatmap side, in pixels. */
export const MAX_HEATMAP_SIDE = 4096
/** Opacity of the colour at full heat in the overlay, unless asked otherwise. */
export const DEFAULT_OPACITY = 0.5

/** What a caller asks for: the output width (default: the image's), the overlay's opacity, the separate layers. */
export interface HeatmapRequest {
  width?: number
  opacity?: number
  /** Also return the grayscale image and the bare colour layer (for a client that blends them itself). */
  layers?: boolean
}

export interface Heatmap {
  format: 'png'
  width: number
  height: number
  colormap: typeof COLORMAP
  map: typeof CAM_MAP
  opacity: number
  /** The overlay (RGB PNG). */
  png: Uint8Array
  /** With `layers`: the 8-bit luminance image (gray PNG) and the colour layer, alpha = heat (RGBA PNG). */
  layers?: { image: Uint8Array; heat: Uint8Array }
  renderer: 'webgpu' | 'cpu'
}

/** Rejects a bad request before any work is done. */
export function checkHeatmapRequest(r: HeatmapRequest): void {
  if (r.width !== undefined && !(Number.isInteger(r.width) && r.width >= 1 && r.width <= MAX_HEATMAP_SIDE))
    throw new XrayError('BAD_REQUEST', `heatmap width must be a whole number from 1 to ${MAX_HEATMAP_SIDE}; got ${r.width}`, { details: { limit: MAX_HEATMAP_SIDE } })
  if (r.opacity !== undefined && !(Number.isFinite(r.opacity) && r.opacity >= 0 && r.opacity <= 1))
    throw new XrayError('BAD_REQUEST', `heatmap opacity must be a number from 0 to 1; got ${r.opacity}`)
}

/**
 * The output size: the requested width (height keeps the aspect ratio, rounded), else the
 * image's own size scaled down, if need be, to fit MAX_HEATMAP_SIDE on both sides.
 */
export function heatmapSize(w: number, h: number, width?: number): { width: number; height: number } {
  if (width === undefined) {
    const k = Math.min(1, MAX_HEATMAP_SIDE / Math.max(w, h))
    return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) }
  }
  const height = Math.max(1, Math.round((h * width) / w))
  if (height > MAX_HEATMAP_SIDE)
    throw new XrayError('BAD_REQUEST', `a heatmap ${width} px wide would be ${height} px high for this ${w}x${h} image; each side is limited to ${MAX_HEATMAP_SIDE} px`, {
      details: { limit: MAX_HEATMAP_SIDE },
    })
  return { width, height }
}

/** The image's luminance at the output size (libvips, off the event loop). */
async function grayAt(image: GrayImage, width: number, height: number): Promise<Uint8Array> {
  if (image.width === width && image.height === height) return image.data
  const sharp = await loadSharp()
  const raw = { width: image.width, height: image.height, channels: 1 as const }
  const out = await sharp(image.data, { raw }).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })
  if (out.info.channels !== 1) throw new Error(`gray resize gave ${out.info.channels} channels`)
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength)
}

const png = async (data: Uint8Array, width: number, height: number, channels: 1 | 3 | 4, dropAlpha = false): Promise<Uint8Array> => {
  const sharp = await loadSharp()
  let s = sharp(data, { raw: { width, height, channels } })
  if (dropAlpha) s = s.removeAlpha()
  if (channels === 1) s = s.toColourspace('b-w') // a gray PNG, not RGB
  return new Uint8Array(await s.png({ compressionLevel: 6 }).toBuffer())
}

/**
 * The PNEUMONIA heatmap of one image (cam.ts says which map and how it is scaled) drawn over the
 * image: on the GPU when `gpu` is given (the WebGPU engine's device), else by the CPU reference;
 * a GPU failure falls back to the CPU with a warning. PNGs are encoded by libvips.
 */
export async function renderHeatmap(image: GrayImage, cam: Float32Array, labels: string[], positive: string, req: HeatmapRequest, gpu?: GpuHeatmapRenderer): Promise<Heatmap> {
  const { width, height } = heatmapSize(image.width, image.height, req.width)
  const opacity = req.opacity ?? DEFAULT_OPACITY
  const job: HeatmapJob = { width, height, gray: await grayAt(image, width, height), cam: normalizeMap(contrastMap(cam, labels, positive)), opacity }
  const wants = { layer: Boolean(req.layers) }
  let pixels: HeatmapPixels | undefined
  let renderer: Heatmap['renderer'] = 'cpu'
  if (gpu) {
    pixels = await gpu(job, wants).catch((e: Error) => {
      log.warn(`GPU heatmap failed, drawing it on the CPU: ${e.message}`)
      return undefined
    })
    if (pixels) renderer = 'webgpu'
  }
  pixels ??= await renderCpu(job, wants)
  const [overlay, layers] = await Promise.all([
    png(pixels.overlay, width, height, 4, true),
    req.layers ? Promise.all([png(job.gray, width, height, 1), png(pixels.layer!, width, height, 4)]) : undefined,
  ])
  return { format: 'png', width, height, colormap: COLORMAP, map: CAM_MAP, opacity, png: overlay, ...(layers ? { layers: { image: layers[0], heat: layers[1] } } : {}), renderer }
}
