/** File helpers for backups: hashing while copying, syncing, walking a folder. */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'

export interface FileDigest {
  bytes: number
  sha256: string
}

/** sha256 and size of a file, streamed. */
export async function hashFile(file: string): Promise<FileDigest> {
  const h = createHash('sha256')
  let bytes = 0
  for await (const chunk of fs.createReadStream(file)) {
    h.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return { bytes, sha256: h.digest('hex') }
}

/**
 * Copies `from` to `to` (a new file, mode `mode`), hashing the bytes as they pass, and syncs the
 * copy: the digest is of what was written.
 */
export async function copyHashed(from: string, to: string, mode = 0o600): Promise<FileDigest> {
  fs.mkdirSync(path.dirname(to), { recursive: true })
  const h = createHash('sha256')
  let bytes = 0
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      h.update(chunk)
      bytes += chunk.length
      done(null, chunk)
    },
  })
  const out = fs.createWriteStream(to, { flags: 'wx', mode })
  await pipeline(fs.createReadStream(from), tap, out)
  syncFile(to)
  return { bytes, sha256: h.digest('hex') }
}

export function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** Syncs `dir` and every folder below it (their entries: the names of the files in them). */
export function syncTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) syncTree(path.join(dir, e.name))
  syncFile(dir)
}

/** Files below `dir` as paths relative to it (`/`-separated), sorted; `skip` leaves names out. */
export function walk(dir: string, skip: (name: string) => boolean = () => false, prefix = ''): string[] {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
  const out: string[] = []
  for (const e of entries) {
    if (skip(e.name)) continue
    const rel = prefix ? `${prefix}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...walk(dir, skip, rel))
    else if (e.isFile()) out.push(rel)
  }
  return out.sort()
}
