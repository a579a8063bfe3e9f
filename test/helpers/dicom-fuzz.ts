/**
 * Seeded DICOM fuzzing: mutations of real and written files (truncation, flipped bytes, lying
 * element and item lengths, huge or zero Rows/Columns, deep and self-similar sequences, garbage
 * fragments). Run as a program so that a hang is caught by the parent's timeout:
 *   node --import ./bin/register.mjs test/helpers/dicom-fuzz.ts SEED COUNT
 * prints one JSON summary line.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { TS, encapsulated, imageElements, nativePixels, writeDicom, type El } from './dicom.ts'

export const SECRETS = ['FUZZ^PATIENT', 'FUZZ-ID-9', 'Fuzz Infirmary']
const identifiers: El[] = [
  { tag: 0x00100010, vr: 'PN', value: SECRETS[0] },
  { tag: 0x00100020, vr: 'LO', value: SECRETS[1] },
  { tag: 0x00080080, vr: 'LO', value: SECRETS[2] },
]

const fixtures = fileURLToPath(new URL('../fixtures/dicom/', import.meta.url))
const seedFiles = ['mono8', 'mono16', 'mono12s', 'rgb8', 'mono8_jpeg50', 'rgb8_jpeg50', 'mono12_jpeg70', 'mono12_jpeg57sv6', 'mono12_jls80', 'rgb8_jls80none', 'mono12_j2k90', 'rgb8_j2k91', 'mono16_rle', 'rgb8_rle']

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] }
}
type Rng = ReturnType<typeof rng>

/** Files written here: identifiers, a VOI LUT sequence, each byte order. */
function writtenSeeds(): Uint8Array[] {
  const voi: El = {
    tag: 0x00283010,
    vr: 'SQ',
    value: [[{ tag: 0x00283002, vr: 'US', value: [256, 0, 8] }, { tag: 0x00283006, vr: 'OW', value: Uint16Array.from({ length: 256 }, (_, i) => 255 - i) }]],
  }
  const values = Array.from({ length: 32 * 24 }, (_, i) => (i * 37) % 4096)
  return [TS.explicitLE, TS.implicitLE, TS.explicitBE].map((ts) =>
    writeDicom({
      transferSyntax: ts,
      elements: imageElements({ rows: 24, columns: 32, bitsAllocated: 16, bitsStored: 12, extra: [...identifiers, voi, { tag: 0x00280120, vr: 'US', value: [0] }] }),
      pixels: nativePixels(values, 16, ts !== TS.explicitBE),
      pixelVR: 'OW',
    }),
  )
}

/** A sequence (0040,9096) nested `depth` levels deep, little endian, written iteratively. */
export function nestedSequences(depth: number, undefinedLength: boolean, explicit: boolean): Uint8Array {
  const inner = explicit ? [0x08, 0, 0x60, 0, 0x43, 0x53, 2, 0, 0x44, 0x58] : [0x08, 0, 0x60, 0, 2, 0, 0, 0, 0x44, 0x58]
  const seqHead = explicit ? 12 : 8
  const out = new Uint8Array(depth * (seqHead + 8) + inner.length + (undefinedLength ? depth * 16 : 0))
  const dv = new DataView(out.buffer)
  let p = 0
  for (let level = depth; level >= 1; level--) {
    // content of an item at this level: the level below (or the innermost element)
    const content = inner.length + (level - 1) * (seqHead + 8)
    out.set([0x40, 0, 0x96, 0x90], p)
    if (explicit) out.set([0x53, 0x51, 0, 0], p + 4)
    dv.setUint32(p + seqHead - 4, undefinedLength ? 0xffffffff : content + 8, true)
    out.set([0xfe, 0xff, 0x00, 0xe0], p + seqHead)
    dv.setUint32(p + seqHead + 4, undefinedLength ? 0xffffffff : content, true)
    p += seqHead + 8
  }
  out.set(inner, p)
  p += inner.length
  if (undefinedLength) for (let level = 0; level < depth; level++, p += 16) out.set([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0], p)
  return out
}

function deepSequences(r: Rng): Uint8Array {
  const depth = 1 + r.int(r.next() < 0.3 ? 20000 : 300)
  const ts = r.pick([TS.explicitLE, TS.implicitLE])
  const raw = nestedSequences(depth, r.next() < 0.5, ts === TS.explicitLE)
  return writeDicom({ transferSyntax: ts, elements: imageElements({ rows: 16, columns: 16, extra: identifiers }), raw, pixels: new Uint8Array(256), pixelVR: 'OB' })
}

const find = (b: Uint8Array, pattern: number[], from = 0): number => Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf(Buffer.from(pattern), from)

/** Offsets of element or item headers whose length field can be rewritten. */
function lengthFields(b: Uint8Array): number[] {
  const out: number[] = []
  for (const tag of [
    [0x28, 0x00, 0x10, 0x00],
    [0x28, 0x00, 0x11, 0x00],
    [0xe0, 0x7f, 0x10, 0x00],
    [0xfe, 0xff, 0x00, 0xe0],
    [0x10, 0x00, 0x10, 0x00],
    [0x28, 0x00, 0x10, 0x30],
    [0x02, 0x00, 0x10, 0x00],
  ]) {
    for (let p = find(b, tag); p >= 0 && out.length < 64; p = find(b, tag, p + 1)) out.push(p)
  }
  return out
}

const MUTATIONS = ['truncate', 'flip', 'length', 'rows', 'fragment', 'splice', 'deep', 'many'] as const
export type Mutation = (typeof MUTATIONS)[number]

function mutate(r: Rng, seed: Uint8Array, kind: Mutation): Uint8Array {
  const b = Uint8Array.from(seed)
  const dv = new DataView(b.buffer)
  switch (kind) {
    case 'truncate':
      return b.subarray(0, 132 + r.int(b.length - 132))
    case 'flip': {
      const n = 1 + r.int(16)
      // Bias towards the header, where a flip changes structure rather than a pixel.
      for (let i = 0; i < n; i++) b[r.next() < 0.7 ? 132 + r.int(Math.min(600, b.length - 132)) : r.int(b.length)] = r.int(256)
      return b
    }
    case 'length': {
      const fields = lengthFields(b)
      if (!fields.length) return b
      const p = r.pick(fields)
      const big = r.pick([0xffffffff, 0x7fffffff, 0xfffffffe, b.length, b.length * 4, r.int(0x10000), 0, 1, 3])
      // explicit VR short form: length at +6 (2 bytes); long form and implicit/items: a 4-byte length
      if (p + 8 <= b.length) r.next() < 0.5 ? dv.setUint16(p + 6, big & 0xffff, true) : dv.setUint32(p + 4, big >>> 0, true)
      return b
    }
    case 'rows': {
      for (const tag of [
        [0x28, 0x00, 0x10, 0x00],
        [0x28, 0x00, 0x11, 0x00],
      ]) {
        const p = find(b, tag)
        if (p >= 0 && p + 10 <= b.length) dv.setUint16(p + 8, r.pick([0, 1, 15, 16, 65535, 40000, 6325, r.int(65536)]), true)
      }
      return b
    }
    case 'fragment': {
      const p = find(b, [0xe0, 0x7f, 0x10, 0x00])
      if (p < 0) return b
      const head = b.subarray(0, p)
      const frags = Array.from({ length: 1 + r.int(3) }, () => {
        const junk = Uint8Array.from({ length: r.int(4000) }, () => r.int(256))
        const starts = [[0xff, 0xd8, 0xff, 0xc0], [0xff, 0xd8, 0xff, 0xc3], [0xff, 0xd8, 0xff, 0xf7], [0xff, 0x4f, 0xff, 0x51], [0x01, 0, 0, 0, 0x40, 0, 0, 0], []]
        const start = r.pick(starts)
        junk.set(start.slice(0, junk.length))
        return junk
      })
      const el = Uint8Array.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff])
      return new Uint8Array(Buffer.concat([head, el, encapsulated(frags)]))
    }
    case 'splice': {
      const at = 132 + r.int(b.length - 132)
      const len = r.int(200)
      const src = r.int(b.length)
      return new Uint8Array(Buffer.concat([b.subarray(0, at), b.subarray(src, src + len), b.subarray(at)]))
    }
    case 'deep':
      return deepSequences(r)
    case 'many': {
      // Thousands of tiny elements and items after the header.
      const n = 1 + r.int(2000)
      const tail = new Uint8Array(n * 12)
      for (let i = 0; i < n; i++) tail.set([0x09, 0x00, i & 0xff, 0x10, 0x55, 0x4e, 0, 0, 0, 0, 0, 0], i * 12) // (0009,10xx) UN, empty
      return new Uint8Array(Buffer.concat([b, tail]))
    }
  }
}

export interface FuzzCase {
  index: number
  kind: Mutation
  seed: string
  bytes: Uint8Array
}

export function* fuzzCases(seed: number, count: number): Generator<FuzzCase> {
  const r = rng(seed)
  const seeds: [string, Uint8Array][] = [
    ...seedFiles.map((f): [string, Uint8Array] => [f, new Uint8Array(fs.readFileSync(path.join(fixtures, `${f}.dcm`)))]),
    ...writtenSeeds().map((b, i): [string, Uint8Array] => [`written-${i}`, b]),
  ]
  for (let index = 0; index < count; index++) {
    const [name, base] = r.pick(seeds)
    const kind = MUTATIONS[index % MUTATIONS.length]
    let bytes = mutate(r, base, kind)
    if (r.next() < 0.2) bytes = mutate(r, bytes, r.pick(MUTATIONS.filter((m) => m !== 'deep')))
    yield { index, kind, seed: name, bytes }
  }
}

async function main(seed: number, count: number) {
  const { decodeImage } = await import('../../src/imaging/decode.ts')
  const { XrayError } = await import('../../src/errors/index.ts')
  const byCode: Record<string, number> = {}
  const bad: unknown[] = []
  const leaked: unknown[] = []
  let slowest = { ms: 0, index: -1, kind: '' }
  for (const c of fuzzCases(seed, count)) {
    const t0 = performance.now()
    try {
      await decodeImage(c.bytes)
      byCode.decoded = (byCode.decoded ?? 0) + 1
    } catch (e) {
      if (!(e instanceof XrayError) || e.status < 400 || e.status >= 500) bad.push({ index: c.index, kind: c.kind, seed: c.seed, error: String(e) })
      else {
        byCode[e.code] = (byCode[e.code] ?? 0) + 1
        const text = JSON.stringify(e.toJSON())
        if (SECRETS.some((s) => text.includes(s))) leaked.push({ index: c.index, text })
      }
    }
    const ms = performance.now() - t0
    if (ms > slowest.ms) slowest = { ms: Math.round(ms), index: c.index, kind: c.kind }
  }
  console.log(JSON.stringify({ seed, count, byCode, bad, leaked, slowest, exitCode: process.exitCode ?? 0 }))
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main(Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 1000))
