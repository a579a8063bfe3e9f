import { XrayError } from '../errors/index.ts'
import { describeUnsupported, sniffFormat } from './sniff.ts'
import { defaultDecodeLimits, type DecodeLimits } from './limits.ts'
import { decodeDicom } from './dicom/index.ts'
import type { GrayImage } from './image.ts'
import { decodeRaster, type DecodeHint } from './raster.ts'

export { defaultDecodeLimits, type DecodeLimits } from './limits.ts'
export type { DecodeHint } from './raster.ts'
export type { GrayImage } from './image.ts'

/**
 * Validates and decodes a PNG, JPEG or DICOM to 8-bit luminance. Throws XrayError with a stable code.
 * Limits apply to the encoded image's own size, before any `hint` shrinks it.
 */
export async function decodeImage(input: Uint8Array, limits: DecodeLimits = defaultDecodeLimits, hint: DecodeHint = {}): Promise<GrayImage> {
  if (input.length === 0) throw new XrayError('EMPTY_INPUT', 'the image is empty (0 bytes)')
  if (input.length > limits.maxBytes)
    throw new XrayError('INPUT_TOO_LARGE', `the image is ${input.length} bytes; the limit is ${limits.maxBytes}`, {
      details: { bytes: input.length, limit: limits.maxBytes },
    })
  const format = sniffFormat(input)
  if (!format)
    throw new XrayError('UNSUPPORTED_FORMAT', `unsupported image format (${describeUnsupported(input)}); send PNG, JPEG or DICOM`)
  if (format === 'dicom') return decodeDicom(input, limits, hint)
  return decodeRaster(input, format, limits, hint)
}
