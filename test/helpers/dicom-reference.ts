/**
 * Reference decoders for the DICOM tests, run as separate programs: dcmtk (dcmdjpeg, dcmdjpls,
 * dcmdrle, dcmdump) and OpenJPEG's opj_decompress. Their output is what our decoder must equal.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { tool } from './require.ts'

export const dcmtk = tool('dcmdump', 'apt-get install dcmtk', ['--version'])
export const openjpeg = tool('opj_decompress', 'apt-get install libopenjp2-tools', ['-h'])

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 })

/** The values of each element `dcmdump +W` wrote for `file`: native Pixel Data as one buffer, encapsulated as [offset table, ...fragments]. */
export function dumpPixelItems(file: string, dir: string): Buffer[] {
  const out = fs.mkdtempSync(path.join(dir, 'raw-'))
  run('dcmdump', ['+W', out, file])
  const name = path.basename(file)
  const items = fs.readdirSync(out).filter((f) => f.startsWith(`${name}.`) && f.endsWith('.raw'))
  items.sort((a, b) => Number(a.split('.').at(-2)) - Number(b.split('.').at(-2)))
  return items.map((f) => fs.readFileSync(path.join(out, f)))
}

const decompressors: Record<string, string> = { jpeg: 'dcmdjpeg', jls: 'dcmdjpls', rle: 'dcmdrle' }

/** dcmtk's decompression of `file` to Explicit VR Little Endian, and its Pixel Data bytes. */
export function dcmtkPixels(file: string, kind: 'jpeg' | 'jls' | 'rle', dir: string): Buffer {
  const plain = path.join(dir, `${path.basename(file, '.dcm')}-dcmtk.dcm`)
  run(decompressors[kind], ['+te', file, plain])
  return dumpPixelItems(plain, dir)[0]
}

/** A PGM/PPM read back: samples (16-bit when maxval > 255) and channel count. */
export function readPnm(buf: Buffer): { width: number; height: number; channels: number; samples: number[] } {
  const m = /^(P5|P6)\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 128).toString('latin1'))
  if (!m) throw new Error('not a binary PGM/PPM')
  const [, magic, w, h, max] = m
  const body = buf.subarray(m[0].length)
  const wide = Number(max) > 255
  const n = body.length / (wide ? 2 : 1)
  const samples = Array.from({ length: n }, (_, i) => (wide ? body.readUInt16BE(i * 2) : body[i]))
  return { width: Number(w), height: Number(h), channels: magic === 'P6' ? 3 : 1, samples }
}

/** OpenJPEG's decode of the codestream in `file`'s fragments. */
export function openjpegPixels(file: string, channels: 1 | 3, dir: string): ReturnType<typeof readPnm> {
  const [, ...fragments] = dumpPixelItems(file, dir)
  const cs = path.join(dir, `${path.basename(file, '.dcm')}.j2k`)
  fs.writeFileSync(cs, Buffer.concat(fragments))
  const pnm = path.join(dir, `${path.basename(file, '.dcm')}.${channels === 3 ? 'ppm' : 'pgm'}`)
  run('opj_decompress', ['-i', cs, '-o', pnm, '-quiet'])
  return readPnm(fs.readFileSync(pnm))
}

/** 16-bit little-endian words of a buffer. */
export const words = (b: Buffer): number[] => Array.from({ length: b.length >> 1 }, (_, i) => b.readUInt16LE(i * 2))
