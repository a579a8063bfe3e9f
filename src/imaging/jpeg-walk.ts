/**
 * The hot loop of src/imaging/jpeg-verify.ts: walks a run of MCUs of one scan, its bit position
 * in a local variable, reading unstuffed data (ScanData) through 32-bit windows. A code of up to
 * LOOK bits takes one look-up; an AC coefficient's code and value bits are used up in one step
 * (its value is never read: the range check needs only its size). The checks run in the order a
 * bit-by-bit decoder meets them, so data that ends inside a code or value is truncated, and a
 * bad code or value before the end is corrupt.
 */
import { ImageFault } from './fault.ts'
import { ENDS, LOOK, type HuffmanTable, type ScanData } from './jpeg-huffman.ts'

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
}

const SHIFT = 32 - LOOK

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
      // AC: run/size codes to the end of the block; value bits skipped.
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
          if (++k === 64) {
            bitpos += (pe >> 16) & 15 // the block ends with the first: the second code is the next block's
            break
          }
          bitpos += pe >>> 20
          const size2 = (pe >> 8) & 15
          if (size2 === 0) break // end of block
          k += (pe >> 12) & 15
          if (size2 > lim[k]!) throw outOfRange(k, size2, p)
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
        k++
      }
      const dcValue = (pred[c]! += diff)
      if (Math.abs(dcValue * q) > limit + q) throw new ImageFault(false, `block ${m} of ${p.mcus} has a DC value out of the range of any image`)
    }
  }
  sd.bitpos = bitpos
}

/** A code longer than LOOK bits, or the fault that stands in its place. */
function codeOrFault(t: HuffmanTable, w: number, left: number, m: number, p: ScanPlan): number {
  const e = t.decodeLong(w, left)
  if (e >= 0) return e
  throw e === ENDS ? ends(m, p) : new ImageFault(false, 'the image data holds a code its Huffman table does not define')
}

const outOfRange = (k: number, size: number, p: ScanPlan) =>
  new ImageFault(false, k > 63 || size > p.precision + 2 ? 'a block holds more than 64 coefficients' : 'a coefficient is out of the range of any image')

const ends = (m: number, p: ScanPlan) => new ImageFault(true, `the image data ends after ${m} of the ${p.needs}`)
