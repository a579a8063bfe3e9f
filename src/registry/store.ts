/**
 * The content-addressed model store: `models/<sha256>.onnx`, the manifest the server loads
 * beside it (`models/<sha256>.json`), and the warm-up images the manifests name
 * (`models/warmup/`). Every file is written durably (src/state/durable.ts), so a crash leaves a
 * complete file or none; a file no database row names is unused and a retry writes it again.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { ModelManifest } from '../models/manifest.ts'
import { fsyncDir, removeAbandonedTemps, writeFileDurable } from '../state/durable.ts'

export const WARMUP_DIR = 'warmup'

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

export class ModelStore {
  constructor(readonly dir: string) {}

  modelPath = (sha: string) => path.join(this.dir, `${sha}.onnx`)
  manifestPath = (sha: string) => path.join(this.dir, `${sha}.json`)

  /** Removes temporary files that killed writers left; returns how many. */
  tidy(): number {
    return removeAbandonedTemps(this.dir).length + removeAbandonedTemps(path.join(this.dir, WARMUP_DIR)).length
  }

  /** Stores model bytes under their sha256 (kept when a complete copy is already there). */
  putModel(sha: string, bytes: Uint8Array): string {
    const file = this.modelPath(sha)
    if (!this.holds(file, sha)) writeFileDurable(file, bytes, 0o444)
    return file
  }

  /** Stores a warm-up image; returns its path relative to the store (as manifests name it). */
  putWarmup(name: string, bytes: Uint8Array): string {
    const rel = `${WARMUP_DIR}/${path.basename(name)}`
    const file = path.join(this.dir, rel)
    if (!fs.existsSync(path.dirname(file))) {
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fsyncDir(this.dir)
    }
    if (!this.holds(file, sha256(bytes))) writeFileDurable(file, bytes, 0o444)
    return rel
  }

  /** Stores the model's drift profile; returns its file name (relative to the store, as the manifest names it). */
  putDriftProfile(sha: string, bytes: Uint8Array): string {
    const name = `${sha}.drift.json`
    const file = path.join(this.dir, name)
    if (!this.holds(file, sha256(bytes))) writeFileDurable(file, bytes, 0o444)
    return name
  }

  putManifest(sha: string, manifest: ModelManifest): string {
    const file = this.manifestPath(sha)
    writeFileDurable(file, `${JSON.stringify(manifest, null, 2)}\n`)
    return file
  }

  /** Whether `file` exists with this sha256. */
  holds(file: string, sha: string): boolean {
    try {
      return sha256(fs.readFileSync(file)) === sha
    } catch {
      return false
    }
  }
}
