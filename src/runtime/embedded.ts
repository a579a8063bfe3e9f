/**
 * Files embedded in the single executable (Node SEA assets): native addons, the libraries they
 * link to, onnxruntime-web's bundle and wasm, the default model. Each group is written once to
 * `<cache>/<content id>/` (tmp file + rename, so concurrent first starts are safe) and used from
 * there. From a checkout none of this runs: `isSingleExecutable()` is false.
 */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import * as sea from 'node:sea'
import zlib from 'node:zlib'
import { cacheBase } from './cache-dir.ts'
import { MANIFEST_ASSET, type EmbeddedFile, type EmbeddedManifest } from './manifest.ts'

export const isSingleExecutable = (): boolean => sea.isSea()

let manifest: EmbeddedManifest | undefined
const readManifest = (): EmbeddedManifest => (manifest ??= JSON.parse(sea.getAsset(MANIFEST_ASSET, 'utf8')) as EmbeddedManifest)

let root: string | undefined
/** The extraction folder, `<cache>/<content id>` (created; nothing extracted yet). */
export const embeddedRoot = (): string => {
  if (!root) {
    root = path.join(cacheBase(), readManifest().id)
    fs.mkdirSync(root, { recursive: true })
  }
  return root
}

const assetBytes = (key: string): Buffer => {
  // getRawAsset hands out the executable's mapped bytes without a copy (read-only).
  const raw = typeof sea.getRawAsset === 'function' ? sea.getRawAsset(key) : sea.getAsset(key)
  return Buffer.from(raw)
}

function extractFile(dir: string, f: EmbeddedFile, force = false): void {
  const dest = path.join(dir, ...f.path.split('/'))
  try {
    if (!force && fs.statSync(dest).size === f.size) return
  } catch {}
  const stored = assetBytes(f.key)
  const data = f.codec === 'zstd' ? zlib.zstdDecompressSync(stored) : stored
  const sha = createHash('sha256').update(data).digest('hex')
  if (data.length !== f.size || sha !== f.sha256) throw new Error(`embedded file ${f.path} is damaged (sha256 ${sha}, expected ${f.sha256})`)
  fs.mkdirSync(path.dirname(dest), { recursive: true })
  const tmp = `${dest}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  try {
    const fd = fs.openSync(tmp, 'w', f.mode)
    try {
      fs.writeSync(fd, data)
      fs.fsyncSync(fd) // on disk before it gets its name: a crash leaves no short file behind
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, dest)
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    throw e
  }
}

/**
 * Extracts one group of embedded files, skipping those already there at their size (checked on
 * every call: a cleaner may have removed them meanwhile). Returns the extraction folder.
 */
export function extractGroup(group: string): string {
  const dir = embeddedRoot()
  const files = readManifest().files.filter((f) => f.group === group)
  if (!files.length) throw new Error(`this executable embeds no files of group ${group}`)
  for (const f of files) extractFile(dir, f)
  return dir
}

/** The extracted path of an embedded file: `group` and `path` as in the manifest. */
export function embeddedFile(group: string, name: string): string {
  const f = readManifest().files.find((e) => e.group === group && (e.path === name || e.path.endsWith(`/${name}`)))
  if (!f) throw new Error(`this executable embeds no ${name} in group ${group}`)
  return path.join(extractGroup(group), ...f.path.split('/'))
}

/**
 * Loads an embedded native addon (the bundle's stand-in for `require('x.node')`): extracts its
 * group (the addon and the libraries it finds through its RPATH) and dlopens it.
 */
export function requireEmbeddedAddon(file: string): unknown {
  const f = readManifest().files.find((e) => e.path === file)
  if (!f) throw new Error(`native addon ${file} is not embedded in this executable`)
  const dlopen = () => {
    const mod = { exports: {} as unknown }
    process.dlopen(mod, path.join(extractGroup(f.group), ...file.split('/')))
    return mod.exports
  }
  try {
    return dlopen()
  } catch (e) {
    // A damaged copy of the right size (disk error, a partial write from elsewhere): write the
    // group again from the executable's own bytes, once, and retry.
    const dir = embeddedRoot()
    for (const g of readManifest().files.filter((x) => x.group === f.group)) extractFile(dir, g, true)
    try {
      return dlopen()
    } catch {
      throw e
    }
  }
}
