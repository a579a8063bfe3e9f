/**
 * PNG and JPEG -> 8-bit luminance through libvips (sharp), with JPEG shrink-on-load when the
 * caller says the pixels go to a smaller resize. Also decodes the JPEG frame of a DICOM whose
 * display mapping is the identity, so that such a DICOM and its JPEG give the same pixels.
 */
import type { Metadata, OutputInfo } from 'sharp'
import { XrayError } from '../errors/index.ts'
import type { ImageFormat } from './sniff.ts'
import { chromaFraction, to8bit, toLuminance } from './luminance.ts'
import { pngChunkState } from './png-chunks.ts'
import { checkDimensions, type DecodeLimits } from './limits.ts'
import type { GrayImage } from './image.ts'
import { loadSharp } from '../runtime/native.ts'
import { ImageFault } from './fault.ts'
import { verifyJpeg } from './jpeg-verify.ts'
import { verifyPng } from './png-verify.ts'
import { jpegFrame } from './jpeg-frame.ts'
import { ScaledGray, type ScaleDenom } from './jpeg-scaled.ts'
import { shrinkOnLoad } from './shrink.ts'
import { reduceLinear } from './vips-reduce.ts'

/**
 * What the caller will do with the pixels, so a decoder may deliver fewer. Decoders that cannot
 * use a hint (PNG, most DICOM) ignore it and return the full image.
 */
export interface DecodeHint {
  /**
   * The pixels go to a resize down to this many pixels per side: a JPEG is then decoded with
   * libjpeg's DCT scaling (shrink-on-load) and reduced with a linear filter until its shorter
   * side is this long (never below it, never enlarged). See docs/EVALUATION.md for the accuracy.
   */
  minSide?: number
}

const corrupt = /corrupt|invalid|missing|bad |unsupported marker|not a /i
const truncated = /premature end|truncat|unexpected end|not enough data|end of (file|stream)|incomplete/i

const decodeFailure = (format: ImageFormat, cause: unknown, input: Uint8Array): XrayError => {
  const msg = cause instanceof Error ? cause.message : String(cause)
  const cut = format === 'png' ? pngChunkState(input) === 'truncated' : truncated.test(msg) && !corrupt.test(msg)
  return cut
    ? new XrayError('TRUNCATED_IMAGE', `${format.toUpperCase()} data ends early: ${msg.trim()}`, { cause })
    : new XrayError('CORRUPT_IMAGE', `${format.toUpperCase()} data cannot be decoded: ${msg.trim()}`, { cause })
}

/** What libvips' metadata would say of a sequential or progressive 8-bit JPEG with 1 or 3 components; undefined for any other. */
function plainJpeg(input: Uint8Array): Pick<Metadata, 'width' | 'height' | 'depth' | 'channels'> | undefined {
  const f = jpegFrame(input)
  if (!f || f.sof > 0xc2 || f.precision !== 8 || (f.components !== 1 && f.components !== 3) || f.width === 0 || f.height === 0) return undefined
  return { width: f.width, height: f.height, depth: 'uchar', channels: f.components as 1 | 3 }
}

/**
 * The file must hold exactly the pixels its header claims: pixels that were not in it are never
 * classified. A `sink` takes a gray JPEG's pixels at a reduced scale as the check walks it.
 */
async function checkIntegrity(input: Uint8Array, format: 'png' | 'jpeg', sink?: ScaledGray): Promise<void> {
  try {
    if (format === 'png') await verifyPng(input)
    else await verifyJpeg(input, sink)
  } catch (e) {
    if (!(e instanceof ImageFault)) throw e
    const f = format.toUpperCase()
    throw e.truncated
      ? new XrayError('TRUNCATED_IMAGE', `${f} data ends early: ${e.message}`, { cause: e })
      : new XrayError('CORRUPT_IMAGE', `${f} data is corrupt or contradicts its header: ${e.message}`, { cause: e })
  }
}

/** Decodes a PNG or JPEG already sniffed as `format`; failures are XrayErrors (4xx). */
export async function decodeRaster(input: Uint8Array, format: 'png' | 'jpeg', limits: DecodeLimits, hint: DecodeHint): Promise<GrayImage> {
  const sharp = await loadSharp() // loaded on first use: the CLI's --help never loads libvips
  // 'warning': libjpeg's "Corrupt JPEG data" warnings (it would fill in and go on) refuse the file too.
  const opts = { failOn: 'warning' as const, limitInputPixels: false as const, sequentialRead: true }
  let meta: Pick<Metadata, 'width' | 'height' | 'depth' | 'channels'>
  try {
    // An 8-bit gray or YCbCr JPEG (nearly every X-ray) says all that is needed in its frame header;
    // anything else is asked of libvips (one more pass over the file on libuv's pool).
    meta = (format === 'jpeg' && plainJpeg(input)) || (await sharp(input, opts).metadata())
  } catch (cause) {
    throw decodeFailure(format, cause, input)
  }
  const { width = 0, height = 0 } = meta
  checkDimensions(width, height, limits)

  // Keep gray as gray and 16 bits as 16 bits: libvips would otherwise convert to 8-bit sRGB.
  const sixteen = meta.depth === 'ushort'
  const gray = (meta.channels ?? 3) <= 2
  const space = gray ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb'
  const side = hint.minSide
  const scale = format === 'jpeg' && side ? shrinkOnLoad(width, height, side) : 1
  let checked = false
  if (scale > 1 && meta.channels === 1 && isSequential(input)) {
    // A gray sequential JPEG that libvips would shrink on load: the integrity walk decodes it at
    // that scale itself (the same pixels), and only the small image goes on to the linear reduce.
    const image = await inTurn(() => walkDecode(input, width, height, scale as ScaleDenom, side!))
    if (image) return image
    checked = true // whole, but libvips' pixels would differ (an ICC profile, say): libvips decodes it
  }
  let pipeline = sharp(input, opts)
  if (format === 'jpeg' && side && Math.min(width, height) > side)
    // fit 'outside': the shorter side lands on `side`. sharp picks the DCT scale (1/2, 1/4, 1/8) and reduces the rest.
    pipeline = pipeline.resize({ width: side, height: side, fit: 'outside', withoutEnlargement: true, kernel: 'linear', fastShrinkOnLoad: true })
  // libvips decodes on libuv's pool while the integrity check walks the file on this thread (the
  // decode is handed to the pool first: the walk holds this thread from its first byte); the
  // check's verdict comes first, and the pixels of a file it refuses are dropped unused.
  const decoding = pipeline.removeAlpha().toColourspace(space).raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true })
  const [check, decoded] = await Promise.allSettled([checked || checkIntegrity(input, format), decoding])
  if (check.status === 'rejected') throw check.reason
  if (decoded.status === 'rejected') throw decodeFailure(format, decoded.reason, input)
  const raw: { data: Buffer; info: OutputInfo } = decoded.value
  const { info, data } = raw
  const samples = sixteen
    ? to8bit(new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2))
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  const pixels = info.width * info.height
  return {
    width: info.width,
    height: info.height,
    data: toLuminance(samples, pixels, info.channels),
    format,
    source: {
      bitDepth: sixteen ? 16 : 8,
      channels: info.channels,
      ...(info.channels >= 3 ? { chroma: chromaFraction(samples, pixels, info.channels) } : {}),
      ...(info.width !== width || info.height !== height ? { scaledFrom: { width, height } } : {}),
    },
  }
}

/** SOF0 or SOF1: the frames the integrity walk decodes (jpeg-verify.ts). */
const isSequential = (input: Uint8Array) => {
  const sof = jpegFrame(input)?.sof
  return sof === 0xc0 || sof === 0xc1
}

/**
 * These decodes run one at a time: they share the event loop in any case (the walk yields every
 * millisecond), so side by side each would finish later and hold its buffers longer.
 */
let turn: Promise<unknown> = Promise.resolve()
function inTurn<T>(f: () => Promise<T>): Promise<T> {
  const mine = turn.then(f)
  turn = mine.catch(() => undefined)
  return mine
}

/** The image from the walk's own reduced decode; undefined when libvips has to decode it (its integrity is checked). */
async function walkDecode(input: Uint8Array, width: number, height: number, scale: ScaleDenom, side: number): Promise<GrayImage | undefined> {
  const sink = new ScaledGray(width, height, scale)
  try {
    await checkIntegrity(input, 'jpeg', sink)
    return sink.plain && sink.complete ? reduced(sink, side, width, height) : undefined
  } finally {
    sink.release()
  }
}

/** The walk's reduced pixels through libvips' linear reduce (ported: vips-reduce.ts), as sharp's resize after a shrink-on-load. */
function reduced(sink: ScaledGray, side: number, width: number, height: number): GrayImage {
  // The shrink left after the DCT scaling is below 2.5 (shrink.ts), inside what the port covers.
  const r = reduceLinear(sink.padded, sink.outWidth, sink.outHeight, side, sink.stride)
  return { width: r.width, height: r.height, data: r.data, format: 'jpeg', source: { bitDepth: 8, channels: 1, scaledFrom: { width, height } } }
}
