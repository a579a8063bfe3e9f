/**
 * Grayscale samples -> 8-bit display values, MONOCHROME2 (dark = low). The whole chain (stored
 * value, Modality LUT, VOI, MONOCHROME1 inversion, padding to black) depends only on the
 * sample's bit pattern, so it is computed once per pattern (256 or 65536) and applied as a table.
 */
import type { ImageAttributes } from './attributes.ts'
import { lookup } from './lut.ts'
import type { ModalityTransform, Presentation } from './presentation.ts'
import { voiFunction } from './voi.ts'

const modalityFunction = (m: ModalityTransform): ((v: number) => number) =>
  m.kind === 'rescale' ? (v) => v * m.slope + m.intercept : m.kind === 'lut' ? (v) => lookup(m.lut, v) : (v) => v

/**
 * `shift`: how far the stored bits sit above bit 0 in each sample (High Bit + 1 - Bits Stored
 * for native data; decoders hand values out at bit 0).
 */
export function renderGrayscale(samples: Uint8Array | Uint16Array, img: ImageAttributes, p: Presentation, shift: number): Uint8Array {
  const patterns = samples instanceof Uint8Array ? 256 : 65536
  const mask = img.bitsStored >= 32 ? 0xffffffff : 2 ** img.bitsStored - 1
  const signBit = 2 ** (img.bitsStored - 1)
  const stored = (pattern: number) => {
    const v = Math.floor(pattern / 2 ** shift) & mask
    return img.signed && v >= signBit ? v - (mask + 1) : v
  }
  const isPadding = p.padding ? (v: number) => v >= p.padding!.from && v <= p.padding!.to : () => false

  const counts = new Uint32Array(patterns)
  for (let i = 0; i < samples.length; i++) counts[samples[i]]++
  const modality = modalityFunction(p.modality)
  let lo = Infinity
  let hi = -Infinity
  for (let q = 0; q < patterns; q++) {
    if (counts[q] === 0) continue
    const v = stored(q)
    if (isPadding(v)) continue
    const m = modality(v)
    if (m < lo) lo = m
    if (m > hi) hi = m
  }
  // 8-bit unsigned values with no modality transform are display values already (what a JPEG
  // of the same image holds): the range is the type's 0..255, not the image's min..max.
  if (p.voi.kind === 'range' && p.modality.kind === 'identity' && img.bitsStored === 8 && !img.signed) [lo, hi] = [0, 255]

  const voi = voiFunction(p.voi, [lo, hi])
  const invert = img.photometric === 'MONOCHROME1'
  const table = new Uint8Array(patterns)
  for (let q = 0; q < patterns; q++) {
    if (counts[q] === 0) continue
    const v = stored(q)
    if (isPadding(v)) continue // black
    const y = Math.min(255, Math.max(0, Math.round(voi(modality(v)))))
    table[q] = invert ? 255 - y : y
  }
  const out = new Uint8Array(samples.length)
  for (let i = 0; i < samples.length; i++) out[i] = table[samples[i]]
  return out
}
