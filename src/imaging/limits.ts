import { XrayError } from '../errors/index.ts'

export interface DecodeLimits {
  /** Largest encoded input accepted, in bytes. */
  maxBytes: number
  /** Largest decoded image accepted, in pixels (guards against decompression bombs). */
  maxPixels: number
  /** Smallest side accepted, in pixels. */
  minSide: number
  /** Largest side accepted, in pixels (bounds the work and memory of a resize, and GPU dispatch sizes). */
  maxSide: number
  /**
   * Time a compressed DICOM frame of up to 4 megapixels may take to decode (proportionally more
   * above), in ms; a codec still running then is stopped and the image refused. Default 10 s.
   */
  codecTimeoutMs?: number
}

export const DEFAULT_CODEC_TIMEOUT_MS = 10_000

export const defaultDecodeLimits: DecodeLimits = { maxBytes: 32 * 1024 * 1024, maxPixels: 40_000_000, minSide: 16, maxSide: 16384 }

/** Applies the pixel and side limits to a size read from a header, before anything is decoded. */
export function checkDimensions(width: number, height: number, limits: DecodeLimits): void {
  if (width * height > limits.maxPixels)
    throw new XrayError('TOO_MANY_PIXELS', `the image is ${width}x${height} (${width * height} pixels); the limit is ${limits.maxPixels}`, {
      details: { width, height, limit: limits.maxPixels },
    })
  if (Math.max(width, height) > limits.maxSide)
    throw new XrayError('IMAGE_TOO_LARGE', `the image is ${width}x${height}; each side must be at most ${limits.maxSide} px`, {
      details: { width, height, limit: limits.maxSide },
    })
  if (Math.min(width, height) < limits.minSide)
    throw new XrayError('IMAGE_TOO_SMALL', `the image is ${width}x${height}; each side must be at least ${limits.minSide} px`)
}
