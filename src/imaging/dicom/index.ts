/**
 * DICOM Part 10 -> the same 8-bit luminance GrayImage as PNG and JPEG, plus a few
 * non-identifying attributes. Order: parse (the transfer syntax is checked first), read and
 * check the image attributes, apply the decode limits to Rows x Columns, then decompress, then
 * map to display values (grayscale) or luminance (colour).
 */
import { XrayError } from '../../errors/index.ts'
import type { GrayImage } from '../image.ts'
import { checkDimensions, DEFAULT_CODEC_TIMEOUT_MS, type DecodeLimits } from '../limits.ts'
import { decodeRaster, type DecodeHint } from '../raster.ts'
import { chromaFraction, toLuminance } from '../luminance.ts'
import { readImageAttributes, type ImageAttributes } from './attributes.ts'
import { decodeFrame, checkedJpegFrame } from './codecs/index.ts'
import { decodedColourSpace, toRgb } from './colour.ts'
import { corruptDicom, describeThrown } from './errors.ts'
import { encapsulatedFrame, nativeSamples } from './frame.ts'
import { renderGrayscale } from './grayscale.ts'
import { readInfo, type DicomInfo } from './info.ts'
import { parseDicomFile } from './parse.ts'
import { readPresentation, type Presentation } from './presentation.ts'
import type { Codec } from './transfer-syntaxes.ts'

export type { DicomInfo } from './info.ts'
export { supportedTransferSyntaxes } from './transfer-syntaxes.ts'

/** A decoded frame before display mapping: the samples as stored (or as the codec hands them out). */
export interface DicomFrame {
  attributes: ImageAttributes
  presentation: Presentation
  codec: Codec
  /** Grayscale: one sample per pixel. Colour: 3 per pixel, interleaved unless `planar`. */
  samples: Uint8Array | Uint16Array
  planar: boolean
  info: DicomInfo
}

export async function readDicomFrame(input: Uint8Array, limits: DecodeLimits): Promise<DicomFrame> {
  const { dataSet, transferSyntax: ts } = parseDicomFile(input)
  const attributes = readImageAttributes(dataSet)
  checkDimensions(attributes.columns, attributes.rows, limits)
  const presentation = readPresentation(dataSet, attributes)
  const codec = ts.codec!
  const info = readInfo(dataSet, attributes, ts)
  if (codec === 'native') return { attributes, presentation, codec, samples: nativeSamples(dataSet, attributes, ts), planar: attributes.planar === 1, info }
  const frame = await decodeFrame(codec, encapsulatedFrame(dataSet, ts), attributes, limits.codecTimeoutMs ?? DEFAULT_CODEC_TIMEOUT_MS)
  return { attributes, presentation, codec, ...frame, info }
}

export function renderDicomFrame(f: DicomFrame): GrayImage {
  const img = f.attributes
  const pixels = img.rows * img.columns
  const base = { width: img.columns, height: img.rows, format: 'dicom' as const, dicom: f.info }
  if (img.samplesPerPixel === 1) {
    const shift = f.codec === 'native' ? img.highBit + 1 - img.bitsStored : 0
    return { ...base, data: renderGrayscale(f.samples, img, f.presentation, shift), source: { bitDepth: img.bitsAllocated, channels: 1 } }
  }
  const rgb = toRgb(f.samples as Uint8Array, pixels, f.planar, decodedColourSpace(f.codec, img.photometric))
  return { ...base, data: toLuminance(rgb, pixels, 3), source: { bitDepth: 8, channels: 3, chroma: chromaFraction(rgb, pixels, 3) } }
}

/**
 * An 8-bit lossy JPEG frame, colour or MONOCHROME2 with no Modality LUT, VOI or padding, holds
 * display values already: it is what a plain JPEG of the image holds, so it is decoded as one (with
 * shrink-on-load when the hint asks), and a DICOM that wraps a JPEG gets the JPEG's answer.
 */
const plainJpeg = (codec: Codec, img: ImageAttributes, p: Presentation): boolean =>
  codec === 'jpeg' && img.bitsStored === 8 && !img.signed &&
  (img.samplesPerPixel === 1
    ? img.photometric === 'MONOCHROME2' && p.modality.kind === 'identity' && p.voi.kind === 'range' && !p.padding
    : img.samplesPerPixel === 3 && ['RGB', 'YBR_FULL', 'YBR_FULL_422'].includes(img.photometric))

async function decodeAsJpeg(input: Uint8Array, limits: DecodeLimits, hint: DecodeHint): Promise<GrayImage | undefined> {
  const { dataSet, transferSyntax: ts } = parseDicomFile(input)
  if (ts.codec !== 'jpeg') return undefined
  const attributes = readImageAttributes(dataSet)
  checkDimensions(attributes.columns, attributes.rows, limits)
  const presentation = readPresentation(dataSet, attributes)
  if (!plainJpeg(ts.codec, attributes, presentation)) return undefined
  const jpeg = checkedJpegFrame(encapsulatedFrame(dataSet, ts), attributes)
  const image = await decodeRaster(jpeg, 'jpeg', limits, hint)
  return { ...image, format: 'dicom', dicom: readInfo(dataSet, attributes, ts), source: { ...image.source, bitDepth: 8, channels: 1 } }
}

/**
 * Decodes a DICOM Part 10 file; anything that goes wrong is an XrayError (4xx). `hint.minSide`
 * lets a plain 8-bit grayscale JPEG frame be decoded with shrink-on-load, as a JPEG file is.
 */
export async function decodeDicom(input: Uint8Array, limits: DecodeLimits, hint: DecodeHint = {}): Promise<GrayImage> {
  try {
    if (hint.minSide) {
      const image = await decodeAsJpeg(input, limits, hint)
      if (image) return image
    }
    return renderDicomFrame(await readDicomFrame(input, limits))
  } catch (e) {
    if (e instanceof XrayError) throw e
    // A parser or codec failure no check foresaw (a stack overflow on nested sequences...).
    throw corruptDicom(describeThrown(e), e)
  }
}
