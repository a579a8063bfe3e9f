/**
 * What an image will cost in memory once decoded, read from its header before anything is
 * decoded: the admission's share for it (limits.memory_budget). An estimate on the high side:
 * the encoded bytes, the decoder's output at its own depth and channels, the 8-bit luminance,
 * and the model's FP32 input. Images whose header cannot be read are charged by their size
 * (decoding refuses them at once).
 */
import { jpegFrame } from '../imaging/jpeg-frame.ts'

export interface CostModel {
  /** The model input's side (JPEG shrink-on-load decodes down towards it); 0 or absent: full size. */
  minSide?: number
  /** Bytes of one preprocessed [3, H, W] FP32 input. */
  tensorBytes: number
}

interface Header {
  width: number
  height: number
  /** Bytes per decoded pixel, all channels. */
  bytesPerPixel: number
  /** JPEG: libjpeg's DCT scaling can shrink it while decoding. */
  shrinkable?: boolean
}

const be32 = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!
const le16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8)

/** PNG: the IHDR chunk (always first). Palette images decode to RGB(A). */
function png(b: Uint8Array): Header | undefined {
  if (b.length < 26 || b[0] !== 0x89 || b[1] !== 0x50) return undefined
  const depth = Math.max(8, b[24]!) / 8
  const channels = ({ 0: 1, 2: 3, 3: 4, 4: 2, 6: 4 } as Record<number, number>)[b[25]!] ?? 4
  return { width: be32(b, 16), height: be32(b, 20), bytesPerPixel: channels * depth }
}

/** JPEG: its frame header. */
function jpeg(b: Uint8Array): Header | undefined {
  const f = jpegFrame(b)
  return f && { height: f.height, width: f.width, bytesPerPixel: Math.max(1, f.components) * (f.precision > 8 ? 2 : 1), shrinkable: true }
}

/** DICOM: Rows (0028,0010) and Columns (0028,0011), explicit or implicit VR little endian; 16-bit samples assumed. */
function dicom(b: Uint8Array): Header | undefined {
  if (b.length < 132 || b[128] !== 0x44 || b[129] !== 0x49 || b[130] !== 0x43 || b[131] !== 0x4d) return undefined
  const find = (element: number) => {
    for (let i = 132; i + 10 <= b.length; i++) {
      if (b[i] !== 0x28 || b[i + 1] !== 0x00 || b[i + 2] !== element || b[i + 3] !== 0x00) continue
      if (b[i + 4] === 0x55 && b[i + 5] === 0x53) return le16(b, i + 8) // "US", length 2
      if (b[i + 4] === 0x02 && b[i + 5] === 0 && b[i + 6] === 0 && b[i + 7] === 0) return le16(b, i + 8)
    }
    return 0
  }
  const height = find(0x10)
  const width = find(0x11)
  // Samples, a float working copy for the display mapping, and 8-bit output.
  return width && height ? { width, height, bytesPerPixel: 2 * 3 + 4 } : undefined
}

/** The decoded pixels after JPEG shrink-on-load (libjpeg scales by 1/2, 1/4 or 1/8). */
function decodedPixels(h: Header, minSide = 0): number {
  let scale = 1
  if (h.shrinkable && minSide > 0) while (scale < 8 && Math.min(h.width, h.height) / (scale * 2) >= minSide) scale *= 2
  return Math.ceil(h.width / scale) * Math.ceil(h.height / scale)
}

/** Bytes of memory decoding and preparing `bytes` for the model will hold at most (an estimate). */
export function imageCost(bytes: Uint8Array, model: CostModel): number {
  const h = png(bytes) ?? jpeg(bytes) ?? dicom(bytes)
  if (!h) return bytes.length + model.tensorBytes
  return bytes.length + decodedPixels(h, model.minSide) * (h.bytesPerPixel + 1) + model.tensorBytes
}
