/**
 * Checks that a sequential Huffman JPEG (SOF0, SOF1: nearly every X-ray) holds exactly the pixels
 * its header claims, before libjpeg decodes it: libjpeg fills missing blocks with gray and goes on
 * past many kinds of damage, and a clinical model must not classify filler. Every scan is walked
 * through its Huffman tables: each code must exist, each block must fit in 64 coefficients, DC
 * values must stay in the range 8-bit (or 12-bit) samples allow, restart markers must come in
 * order, and the data must end exactly where the frame's last block ends. Progressive and
 * arithmetic-coded files are left to libjpeg's own checks (sharp failOn 'warning').
 */
import { ImageFault } from './fault.ts'
import { HuffmanTable, ScanData } from './jpeg-huffman.ts'
import { walkMcus, type ScanPlan } from './jpeg-walk.ts'
import type { ScaledGray } from './jpeg-scaled.ts'

interface Component { id: number; h: number; v: number; tq: number }
interface Frame { precision: number; width: number; height: number; comps: Component[]; hmax: number; vmax: number }

/** MCUs walked between two looks at the clock. */
const YIELD_EVERY = 1024
/** Milliseconds the walk may hold the main thread before it lets the event loop turn. */
const SLICE_MS = 1

const u16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!

/**
 * Rejects with ImageFault when the file is cut short or its data contradicts its header; resolves
 * to whether it was walked. A `sink` made for this file's frame receives a one-component image's
 * blocks as they are walked (src/imaging/jpeg-scaled.ts).
 */
export async function verifyJpeg(b: Uint8Array, sink?: ScaledGray): Promise<boolean> {
  const quant: (Uint16Array | undefined)[] = []
  const dc: (HuffmanTable | undefined)[] = []
  const ac: (HuffmanTable | undefined)[] = []
  let frame: Frame | undefined
  let restart = 0
  let walked = false
  let i = 2
  for (;;) {
    while (i < b.length && b[i] === 0xff && b[i + 1] === 0xff) i++ // fill bytes
    if (i + 2 > b.length) throw new ImageFault(true, 'the file ends before its end-of-image marker')
    if (b[i] !== 0xff) throw new ImageFault(false, `a marker was expected at byte ${i}`)
    const m = b[i + 1]!
    if (m === 0xd9) return walked
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      i += 2
      continue
    }
    if (i + 4 > b.length) throw new ImageFault(true, 'the file ends inside a marker segment')
    const len = u16(b, i + 2)
    const end = i + 2 + len
    if (len < 2) throw new ImageFault(false, `marker 0xFF${m.toString(16)} has a bad length`)
    if (end > b.length) throw new ImageFault(true, 'the file ends inside a marker segment')
    const seg = b.subarray(i + 4, end)
    if (m === 0xdb) readQuant(seg, quant)
    else if (m === 0xc4) readHuffman(seg, dc, ac)
    else if (m === 0xdd) restart = seg.length >= 2 ? u16(seg, 0) : 0
    else if (sink && (m === 0xe0 || m === 0xe2) && !libjpegPlain(m, seg)) sink.plain = false
    else if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (frame) throw new ImageFault(false, 'the file has more than one frame header')
      frame = readFrame(seg)
      // Progressive, lossless, arithmetic or height given later (DNL): libjpeg's own checks only.
      if ((m !== 0xc0 && m !== 0xc1) || frame.height === 0) return false
    } else if (m === 0xda) {
      if (!frame) throw new ImageFault(false, 'a scan comes before the frame header')
      i = await walkScan(b, end, seg, frame, quant, dc, ac, restart, sink)
      walked = true
      continue
    }
    i = end
  }
}

const ascii = (seg: Uint8Array, text: string) => text.split('').every((ch, k) => seg[k] === ch.charCodeAt(0))

/** False for an APP0 or APP2 segment after which libvips' pixels differ: an ICC profile (converted), a JFIF version libjpeg warns of. */
function libjpegPlain(m: number, seg: Uint8Array): boolean {
  if (m === 0xe2) return !ascii(seg, 'ICC_PROFILE\0')
  return !ascii(seg, 'JFIF\0') || seg[5] === 1
}

function readQuant(seg: Uint8Array, quant: (Uint16Array | undefined)[]) {
  for (let p = 0; p < seg.length; ) {
    const wide = seg[p]! >> 4
    const id = seg[p]! & 15
    const size = wide ? 128 : 64
    if (id > 3 || p + 1 + size > seg.length) throw new ImageFault(false, 'a quantization table is malformed')
    const t = new Uint16Array(64)
    for (let k = 0; k < 64; k++) t[k] = wide ? u16(seg, p + 1 + 2 * k) : seg[p + 1 + k]!
    if (t.includes(0)) throw new ImageFault(false, 'a quantization table holds a zero')
    quant[id] = t
    p += 1 + size
  }
}

function readHuffman(seg: Uint8Array, dc: (HuffmanTable | undefined)[], ac: (HuffmanTable | undefined)[]) {
  for (let p = 0; p < seg.length; ) {
    const cls = seg[p]! >> 4
    const id = seg[p]! & 15
    if (cls > 1 || id > 3 || p + 17 > seg.length) throw new ImageFault(false, 'a Huffman table is malformed')
    const counts = seg.subarray(p + 1, p + 17)
    const n = counts.reduce((a, c) => a + c, 0)
    if (p + 17 + n > seg.length) throw new ImageFault(false, 'a Huffman table is malformed')
    ;(cls ? ac : dc)[id] = new HuffmanTable(counts, seg.subarray(p + 17, p + 17 + n))
    p += 17 + n
  }
}

function readFrame(seg: Uint8Array): Frame {
  const n = seg[5] ?? 0
  if (seg.length < 6 + 3 * n || n === 0) throw new ImageFault(false, 'the frame header is malformed')
  const comps = Array.from({ length: n }, (_, k) => ({ id: seg[6 + 3 * k]!, h: seg[7 + 3 * k]! >> 4, v: seg[7 + 3 * k]! & 15, tq: seg[8 + 3 * k]! }))
  if (comps.some((c) => c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3)) throw new ImageFault(false, 'the frame header is malformed')
  const frame = { precision: seg[0]!, height: u16(seg, 1), width: u16(seg, 3), comps, hmax: Math.max(...comps.map((c) => c.h)), vmax: Math.max(...comps.map((c) => c.v)) }
  if (frame.width === 0 || (frame.precision !== 8 && frame.precision !== 12)) throw new ImageFault(false, 'the frame header is malformed')
  return frame
}

/** Walks one scan's entropy-coded data from `start`; returns where the next marker begins. */
async function walkScan(b: Uint8Array, start: number, seg: Uint8Array, f: Frame, quant: (Uint16Array | undefined)[], dc: (HuffmanTable | undefined)[], ac: (HuffmanTable | undefined)[], restart: number, sink?: ScaledGray): Promise<number> {
  const ns = seg[0] ?? 0
  if (ns < 1 || ns > 4 || seg.length < 1 + 2 * ns + 3) throw new ImageFault(false, 'the scan header is malformed')
  // |DCT coefficient| of 8-bit samples is at most 1024 (12-bit: 16384), DC and AC alike; a
  // dequantized value beyond (by more than rounding) is no image: the data was misread.
  const limit = 8 << (f.precision - 1)
  const comps = Array.from({ length: ns }, (_, k) => {
    const c = f.comps.find((x) => x.id === seg[1 + 2 * k])
    const q = c && quant[c.tq]
    const d = dc[seg[2 + 2 * k]! >> 4]
    const a = ac[seg[2 + 2 * k]! & 15]
    if (!c || !q || !d || !a) throw new ImageFault(false, 'the scan names a component or table that is not defined')
    return { c, q, d, a }
  })
  // One component alone: its own blocks in raster order; several: MCUs of h x v blocks each.
  const single = ns === 1
  const cw = (c: Component) => Math.ceil(Math.ceil((f.width * c.h) / f.hmax) / 8)
  const ch = (c: Component) => Math.ceil(Math.ceil((f.height * c.v) / f.vmax) / 8)
  const mcus = single ? cw(comps[0]!.c) * ch(comps[0]!.c) : Math.ceil(f.width / (8 * f.hmax)) * Math.ceil(f.height / (8 * f.vmax))
  const unit = single ? '8x8' : `${8 * f.hmax}x${8 * f.vmax}`
  const plan: ScanPlan = {
    blockComp: Int32Array.from(comps.flatMap((s, k) => Array<number>(single ? 1 : s.c.h * s.c.v).fill(k))),
    dc: comps.map((s) => s.d),
    ac: comps.map((s) => s.a),
    acLimit: comps.map((s) => acLimits(s.q, limit, f.precision)),
    q0: comps.map((s) => s.q[0]!),
    pred: new Float64Array(ns),
    precision: f.precision,
    limit,
    mcus,
    needs: `${mcus} ${unit} blocks a ${f.width}x${f.height} image needs`,
  }
  if (sink) {
    // Quantizers above 255 (16-bit tables) would take the reduced IDCT's integer sums past 32 bits.
    if (f.comps.length === 1 && f.precision === 8 && sink.width === f.width && sink.height === f.height && Math.max(...comps[0]!.q) <= 255) {
      sink.q = comps[0]!.q
      plan.sink = sink
    } else sink.plain = false
  }
  const r = new ScanData(b, start)
  try {
    let slice = performance.now()
    for (let m = 0; m < mcus; ) {
      if (restart && m > 0 && m % restart === 0) {
        r.restart(((m / restart - 1) & 7) + 0xd0)
        plan.pred.fill(0)
      }
      const to = Math.min(mcus, m + YIELD_EVERY, restart ? (Math.floor(m / restart) + 1) * restart : mcus)
      walkMcus(r, m, to, plan)
      // The walk runs on the main thread: every YIELD_EVERY MCUs, once it has held it SLICE_MS, it
      // lets other requests (health checks) in.
      if (to < mcus && Math.floor(to / YIELD_EVERY) !== Math.floor(m / YIELD_EVERY) && performance.now() - slice >= SLICE_MS) {
        await new Promise(setImmediate)
        slice = performance.now()
      }
      m = to
    }
    return r.finish(`${mcus} ${unit}`)
  } finally {
    r.release()
  }
}

/**
 * Per zigzag position, the largest AC size category (bits of the value) allowed: at most
 * precision + 2, and the size whose smallest value, dequantized, stays within `limit`
 * (2^(s-1) * q <= limit + q); 0 past position 63 (a block holds 64 coefficients).
 */
function acLimits(q: Uint16Array, limit: number, precision: number): Uint8Array {
  const max = new Uint8Array(80)
  for (let k = 1; k < 64; k++) {
    let s = 1
    while (s < 16 && (1 << s) * q[k]! <= limit + q[k]!) s++
    max[k] = Math.min(s, precision + 2)
  }
  return max
}
