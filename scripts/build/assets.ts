/**
 * Prepares the embedded files: hashes each, compresses it with zstd where that pays (kept in a
 * content-addressed cache, so a rebuild with unchanged inputs skips the work), and writes the
 * manifest the runtime reads (src/runtime/manifest.ts). Needs Node >= 23.8 (zlib zstd).
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { MANIFEST_ASSET, type EmbeddedFile, type EmbeddedManifest } from '../../src/runtime/manifest.ts'
import type { BuildConfig, ResolvedAsset } from './config.ts'

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** ELF shared objects and addons are extracted executable. */
const modeOf = (p: string) => (/\.node$|\.so(\.\d+)*$/.test(p) ? 0o755 : 0o644)

export interface PreparedAssets {
  manifest: EmbeddedManifest
  /** SEA asset key -> file to embed. */
  seaAssets: Record<string, string>
  /** For the report. */
  rows: { path: string; size: number; stored: number }[]
}

export async function prepareAssets(
  assets: ResolvedAsset[],
  compression: BuildConfig['compression'],
  dirs: { cache: string; work: string; useCache: boolean },
): Promise<PreparedAssets> {
  const zstd = promisify(zlib.zstdCompress)
  fs.mkdirSync(dirs.cache, { recursive: true })
  fs.mkdirSync(dirs.work, { recursive: true })
  const files = await Promise.all(
    assets.map(async (a): Promise<{ entry: EmbeddedFile; stored: string; storedSize: number }> => {
      const data = fs.readFileSync(a.source)
      const hash = sha256(data)
      const key = `files/${a.path}`
      const base = { key, path: a.path, group: a.group, size: data.length, sha256: hash, mode: modeOf(a.path) }
      const cached = path.join(dirs.cache, `${hash}.zst${compression.level}`)
      let packed: Buffer | undefined
      if (dirs.useCache && fs.existsSync(cached)) packed = fs.readFileSync(cached)
      else {
        packed = await zstd(data, {
          params: { [zlib.constants.ZSTD_c_compressionLevel]: compression.level, [zlib.constants.ZSTD_c_checksumFlag]: 1 },
        })
        fs.writeFileSync(`${cached}.${process.pid}.tmp`, packed)
        fs.renameSync(`${cached}.${process.pid}.tmp`, cached)
      }
      if (packed.length <= data.length * (1 - compression.minSaving)) return { entry: { ...base, codec: 'zstd' }, stored: cached, storedSize: packed.length }
      return { entry: { ...base, codec: 'none' }, stored: a.source, storedSize: data.length }
    }),
  )
  files.sort((x, y) => (x.entry.path < y.entry.path ? -1 : 1))
  const id = sha256(Buffer.from(files.map((f) => `${f.entry.path}\0${f.entry.sha256}\0${f.entry.mode}\n`).join(''))).slice(0, 16)
  const manifest: EmbeddedManifest = { format: 1, id, files: files.map((f) => f.entry) }
  const manifestFile = path.join(dirs.work, 'manifest.json')
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 1)}\n`)
  const seaAssets: Record<string, string> = { [MANIFEST_ASSET]: manifestFile }
  for (const f of files) seaAssets[f.entry.key] = f.stored
  return { manifest, seaAssets, rows: files.map((f) => ({ path: f.entry.path, size: f.entry.size, stored: f.storedSize })) }
}
