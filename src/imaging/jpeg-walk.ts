/**
 * The hot loop of src/imaging/jpeg-verify.ts: walks a run of MCUs of one scan, its bit position
 * in a local variable, reading unstuffed data (ScanData) through 32-bit windows. A code of up to
 * LOOK bits takes one look-up; an AC coefficient's code and value bits are used up in one step.
 * The checks run in the order a bit-by-bit decoder meets them, so data that ends inside a code or
 * value is truncated, and a bad code or value before the end is corrupt.
 *
 * Every AC value is also stored where `need` says: with a `sink` (a one-component scan), those its
 * reduced IDCT uses go to their place in the block and the rest to a spare slot, and each block
 * is then handed to it; without a sink, all go to the spare slot. No branch decides either way
 * (one cost the sink's walk 45% more time, signs and positions being unpredictable).
 */
import { ImageFault } from './fault.ts'
import { ENDS, LOOK, type HuffmanTable, type ScanData } from './jpeg-huffman.ts'
import type { ScaledGray } from './jpeg-scaled.ts'

/** One scan, ready to walk. */
export interface ScanPlan {
  /** Scan component of each block of an MCU, in order (one entry when the scan has one component). */
  blockComp: Int32Array
  dc: HuffmanTable[]
  ac: HuffmanTable[]
  /** Per component, per zigzag position 0-79: the largest AC size allowed there (0 past 63). */
  acLimit: Uint8Array[]
  /** Per component: its DC quantizer, and the DC prediction (reset at restarts). */
  q0: number[]
  pred: Float64Array
  precision: number
  /** Largest |dequantized coefficient| of any image (1024 for 8-bit samples). */
  limit: number
  mcus: number
  /** How a refusal counts the MCUs: `${mcus} 8x8 blocks a 2000x1500 image needs`. */
  needs: string
  /** Takes each block's coefficients and writes its pixels (src/imaging/jpeg-scaled.ts). */
  sink?: ScaledGray
}

const SHIFT = 32 - LOOK
/** Without a sink: every value goes to the spare slot (the same array types either way keep the loop monomorphic). */
const NO_NEED = new Uint8Array(80).fill(64)
const NO_COEF = new Int32Array(65)
const NO_Q = new Uint16Array(64)
/** Per natural position, the bit of its column (0 for the spare slot 64): a block's mask of columns with an AC value. */
const COLUMN_BIT = Uint8Array.from({ length: 65 }, (_, n) => (n < 64 ? 1 << (n & 7) : 0))

/** Walks MCUs [from, to) of the scan; throws ImageFault at the first fault. */
export function walkMcus(sd: ScanData, from: number, to: number, p: ScanPlan): void {
  const dv = sd.dv
  const nbits = sd.nbits
  let bitpos = sd.bitpos
  const dcMaxSize = p.precision + 3
  const limit = p.limit
  const blocks = p.blockComp.length
  const pred = p.pred
  // The tables of the component the current block belongs to (one only, mostly: gray X-rays).
  let cur = -1
  let dct = p.dc[0]!
  let dcDiffs = dct.differences
  let act = p.ac[0]!
  let acLook = act.lookup
  let acPairs = act.pairs
  let lim = p.acLimit[0]!
  let q = 0
  const sink = p.sink
  const need = sink === undefined ? NO_NEED : sink.need
  const coef = sink === undefined ? NO_COEF : sink.coef
  const qz = sink === undefined ? NO_Q : sink.q
  for (let m = from; m < to; m++) {
    for (let j = 0; j < blocks; j++) {
      const c = p.blockComp[j]!
      if (c !== cur) {
        cur = c
        dct = p.dc[c]!
        dcDiffs = dct.differences
        act = p.ac[c]!
        acLook = act.lookup
        acPairs = act.pairs
        lim = p.acLimit[c]!
        q = p.q0[c]!
      }
      // DC: its code, then its value (the prediction's range needs it); mostly both in one look-up.
      let w = dv.getUint32(bitpos >>> 3) << (bitpos & 7)
      let diff = dcDiffs[w >>> SHIFT]!
      if (diff !== 0 && bitpos + (diff & 31) <= nbits) {
        bitpos += diff & 31
        diff >>= 16
      } else {
        let e = dct.lookup[w >>> SHIFT]!
        if (e === 0) e = codeOrFault(dct, w, nbits - bitpos, m, p)
        bitpos += (e >> 8) & 31
        if (bitpos > nbits) throw ends(m, p)
        const s = e & 255
        if (s > dcMaxSize) throw new ImageFault(false, 'a DC difference is out of range')
        diff = 0
        if (s !== 0) {
          if (bitpos + s > nbits) throw ends(m, p)
          const v = (dv.getUint32(bitpos >>> 3) << (bitpos & 7)) >>> (32 - s)
          bitpos += s
          diff = v < 1 << (s - 1) ? v - (1 << s) + 1 : v
        }
      }
      // AC: run/size codes to the end of the block, each value stored (see above); `cols`: the
      // columns of the values a sink's IDCT reads (COLUMN_BIT), so it can skip the empty ones.
      let cols = 0
      for (let k = 1; k < 64; ) {
        w = dv.getUint32(bitpos >>> 3) << (bitpos & 7)
        const pe = acPairs[w >>> SHIFT]!
        if (pe !== 0 && bitpos + (pe >>> 20) <= nbits) {
          // Two codes in one look-up, all their bits there: a coefficient, then a coefficient or the end of block.
          const size1 = pe & 15
          if (size1 === 0) {
            bitpos += pe >>> 20 // the end of block
            break
          }
          k += (pe >> 4) & 15
          if (size1 > lim[k]!) throw outOfRange(k, size1, p)
          coef[need[k]!] = extend((w >>> (32 - ((pe >> 16) & 15))) & ((1 << size1) - 1), size1) * qz[k]!
          cols |= COLUMN_BIT[need[k]!]!
          if (++k === 64) {
            bitpos += (pe >> 16) & 15 // the block ends with the first: the second code is the next block's
            break
          }
          bitpos += pe >>> 20
          const size2 = (pe >> 8) & 15
          if (size2 === 0) break // end of block
          k += (pe >> 12) & 15
          if (size2 > lim[k]!) throw outOfRange(k, size2, p)
          coef[need[k]!] = extend((w >>> (32 - (pe >>> 20))) & ((1 << size2) - 1), size2) * qz[k]!
          cols |= COLUMN_BIT[need[k]!]!
          k++
          continue
        }
        let e = acLook[w >>> SHIFT]!
        if (e === 0) e = codeOrFault(act, w, nbits - bitpos, m, p)
        const at = bitpos
        bitpos += e >>> 16 // code and value bits
        const size = e & 15
        if (bitpos > nbits && (size === 0 || at + ((e >> 8) & 31) > nbits)) throw ends(m, p) // inside the code
        if (size === 0) {
          if ((e & 255) !== 0xf0) break // end of block
          k += 16
          if (k > 64) throw new ImageFault(false, 'a block holds more than 64 coefficients')
          continue
        }
        k += (e >> 4) & 15
        if (size > lim[k]!) throw outOfRange(k, size, p)
        if (bitpos > nbits) throw ends(m, p) // inside the value
        coef[need[k]!] = valueAt(dv, bitpos - size, size) * qz[k]!
        cols |= COLUMN_BIT[need[k]!]!
        k++
      }
      const dcValue = (pred[c]! += diff)
      if (Math.abs(dcValue * q) > limit + q) throw new ImageFault(false, `block ${m} of ${p.mcus} has a DC value out of the range of any image`)
      if (sink !== undefined) {
        coef[0] = dcValue * q
        sink.block(cols)
      }
    }
  }
  sd.bitpos = bitpos
}

/** The signed value of `s` bits `v` (T.81 F.2.2.1, EXTEND). */
const extend = (v: number, s: number) => v + ((((v >> (s - 1)) & 1) - 1) & (1 - (1 << s))) // branch-free: signs are random

/** The signed value of the `s` bits at bit `pos`. */
const valueAt = (dv: DataView, pos: number, s: number) => extend((dv.getUint32(pos >>> 3) << (pos & 7)) >>> (32 - s), s)

/** A code longer than LOOK bits, or the fault that stands in its place. */
function codeOrFault(t: HuffmanTable, w: number, left: number, m: number, p: ScanPlan): number {
  const e = t.decodeLong(w, left)
  if (e >= 0) return e
  throw e === ENDS ? ends(m, p) : new ImageFault(false, 'the image data holds a code its Huffman table does not define')
}

const outOfRange = (k: number, size: number, p: ScanPlan) =>
  new ImageFault(false, k > 63 || size > p.precision + 2 ? 'a block holds more than 64 coefficients' : 'a coefficient is out of the range of any image')

const ends = (m: number, p: ScanPlan) => new ImageFault(true, `the image data ends after ${m} of the ${p.needs}`)
