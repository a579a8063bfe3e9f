/**
 * One compressed frame -> samples. Each codestream's header is checked against the data set
 * (size, components, bits) before the codec runs, so a codec never allocates for a size the
 * decode limits did not accept.
 */
import { XrayError } from '../../../errors/index.ts'
import type { ImageAttributes } from '../attributes.ts'
import { corruptDicom, describeThrown, unsupportedDicom } from '../errors.ts'
import type { Codec } from '../transfer-syntaxes.ts'
import { j2kHeader, jpegHeader, type CodestreamInfo } from './headers.ts'
import { decodeRle } from './rle.ts'
import { decodeInWorker, type WorkerCodec } from './pool.ts'

export interface DecodedFrame {
  /** Sample values as the codec gives them: bytes for up to 8 bits, else 16-bit words. */
  samples: Uint8Array | Uint16Array
  /** Colour samples one plane after another instead of interleaved. */
  planar: boolean
}

const codecNames: Record<Exclude<Codec, 'native'>, string> = {
  jpeg: 'JPEG',
  'jpeg-lossless': 'JPEG lossless',
  'jpeg-ls': 'JPEG-LS',
  jpeg2000: 'JPEG 2000',
  rle: 'RLE',
}

function checkHeader(codec: Codec, h: CodestreamInfo, img: ImageAttributes): void {
  const name = codecNames[codec as Exclude<Codec, 'native'>]
  if (h.width !== img.columns || h.height !== img.rows)
    throw corruptDicom(`the ${name} frame is ${h.width}x${h.height} but Rows/Columns say ${img.columns}x${img.rows}`)
  if (h.components !== img.samplesPerPixel) throw corruptDicom(`the ${name} frame has ${h.components} components; Samples per Pixel is ${img.samplesPerPixel}`)
  if (h.precision < 1 || h.precision > img.bitsAllocated) throw corruptDicom(`the ${name} frame has ${h.precision} bits per sample; Bits Allocated is ${img.bitsAllocated}`)
  if (codec === 'jpeg' && h.precision !== 8) throw unsupportedDicom(`${h.precision}-bit lossy JPEG; only 8-bit lossy JPEG is decoded`)
  if (codec === 'jpeg' && h.sof !== 0xc0 && h.sof !== 0xc1 && h.sof !== 0xc2) throw corruptDicom(`JPEG frame marker 0xFF${h.sof!.toString(16).toUpperCase()} in a baseline/extended file`)
  if (codec === 'jpeg-lossless' && h.sof !== 0xc3) throw corruptDicom('a JPEG lossless file whose frame is not lossless (SOF3)')
  if (codec === 'jpeg-ls' && h.sof !== 0xf7) throw corruptDicom('a JPEG-LS file whose frame is not JPEG-LS (SOF55)')
}

const asWords = (bytes: Uint8Array): Uint16Array => new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1)

/** Time allowed per frame: `perFourMegapixels` for up to 4 MP, proportionally more above. */
const deadline = (img: ImageAttributes, perFourMegapixels: number) => perFourMegapixels * Math.max(1, (img.rows * img.columns) / 4e6)

async function inWorker(codec: Exclude<Codec, 'native' | 'rle'>, codestream: Uint8Array, h: CodestreamInfo, img: ImageAttributes, timeoutMs: number): Promise<Uint8Array | Uint16Array> {
  const target: Record<typeof codec, WorkerCodec> = { jpeg: 'jpeg', 'jpeg-lossless': 'lossless', 'jpeg-ls': 'jpegls', jpeg2000: 'jpeg2000' }
  const { info, bytes } = await decodeInWorker(target[codec], codestream, { timeoutMs: deadline(img, timeoutMs), label: codecNames[codec], numBytes: h.precision > 8 ? 2 : 1 })
  const wide = info.bitsPerSample > 8
  const expected = img.rows * img.columns * img.samplesPerPixel * (wide ? 2 : 1)
  const sized = info.width === undefined || (info.width === h.width && info.height === h.height)
  if (!sized || bytes.length !== expected) throw corruptDicom(`the ${codecNames[codec]} decoder produced no image of the expected size`)
  return wide ? asWords(bytes) : bytes
}

/** A lossy JPEG frame whose header agrees with the data set, for a decoder outside the pool. */
export function checkedJpegFrame(frame: Uint8Array, img: ImageAttributes): Uint8Array {
  checkHeader('jpeg', jpegHeader(frame), img)
  return frame
}

/** Decodes one compressed frame; `timeoutMs`: the time allowed for up to 4 megapixels. */
export async function decodeFrame(codec: Exclude<Codec, 'native'>, frame: Uint8Array, img: ImageAttributes, timeoutMs: number): Promise<DecodedFrame> {
  const pixels = img.rows * img.columns
  if (codec === 'rle') return { samples: decodeRle(frame, pixels, img.samplesPerPixel, img.bitsAllocated === 16 ? 2 : 1), planar: true }
  const { codestream, info } = codec === 'jpeg2000' ? j2kHeader(frame) : { codestream: frame, info: jpegHeader(frame) }
  checkHeader(codec, info, img)
  let samples: Uint8Array | Uint16Array
  try {
    samples = await inWorker(codec, codestream, info, img, timeoutMs)
  } catch (e) {
    if (e instanceof XrayError) throw e
    throw corruptDicom(`the ${codecNames[codec]} frame cannot be decoded (${describeThrown(e)})`, e)
  }
  return { samples, planar: codec === 'jpeg-ls' && img.samplesPerPixel > 1 && info.interleave === 0 }
}
