/**
 * The shape of build.config.ts and the resolution of its asset patterns. Runs under Node 20 (tsx)
 * and under the Node 24 base binary (type stripping), so: erasable TypeScript only, no fs.glob.
 */
import fs from 'node:fs'
import path from 'node:path'

export interface AssetSpec {
  /** Extracted together at run time. */
  group: string
  /** Path relative to the repository; `*` matches within one path segment. */
  from: string
  /** Path below the extraction folder; a trailing `/` keeps the source file name. */
  to: string
  /** A native addon that the bundle `require`s: the require is redirected to the extracted copy. */
  addon?: boolean
  /** The pattern may match several files (otherwise exactly one). */
  many?: boolean
}

export interface SourcePatch {
  /** File relative to the repository. */
  file: string
  /** Text that must occur exactly once. */
  find: string
  replace: string
}

export interface BuildConfig {
  output: string
  node: { package: string; version: string; integrity: string; strip: boolean; strippedSha256?: string }
  bundle: {
    entry: string
    target: string
    alias: Record<string, string>
    textLoaders: string[]
    /** Worker thread scripts: each entry bundled alone and embedded as `file` in `group`. */
    workers: { entry: string; group: string; file: string }[]
  }
  compression: { level: number; minSaving: number }
  assets: AssetSpec[]
  patches: SourcePatch[]
}

/** One embedded file, resolved. */
export interface ResolvedAsset {
  group: string
  /** Absolute source path. */
  source: string
  /** Path below the extraction folder, `/`-separated. */
  path: string
  addon: boolean
}

export const repoRoot = path.resolve(import.meta.dirname, '../..')

export async function loadConfig(): Promise<BuildConfig> {
  const mod = (await import('../../build.config.ts')) as { default: BuildConfig }
  return mod.default
}

const segmentRegExp = (seg: string) => new RegExp(`^${seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`)

/** Files matching `pattern` (relative to root; `*` within a segment), sorted. */
export function expand(root: string, pattern: string): string[] {
  let found = ['']
  for (const seg of pattern.split('/')) {
    const next: string[] = []
    for (const dir of found) {
      if (!seg.includes('*')) {
        if (fs.existsSync(path.join(root, dir, seg))) next.push(path.posix.join(dir, seg))
        continue
      }
      const re = segmentRegExp(seg)
      let names: string[] = []
      try {
        names = fs.readdirSync(path.join(root, dir))
      } catch {}
      for (const n of names.filter((n) => re.test(n)).sort()) next.push(path.posix.join(dir, n))
    }
    found = next
  }
  return found.filter((f) => fs.statSync(path.join(root, f)).isFile())
}

export function resolveAssets(config: BuildConfig, root = repoRoot): ResolvedAsset[] {
  const out: ResolvedAsset[] = []
  for (const a of config.assets) {
    const files = expand(root, a.from)
    if (files.length === 0) throw new Error(`build.config.ts: no file matches ${a.from} (run npm ci?)`)
    if (files.length > 1 && !a.many) throw new Error(`build.config.ts: ${a.from} matches ${files.length} files (${files.join(', ')}); expected one`)
    for (const f of files) {
      const dest = a.to.endsWith('/') ? a.to + path.posix.basename(f) : a.to
      out.push({ group: a.group, source: path.join(root, f), path: dest, addon: Boolean(a.addon) })
    }
  }
  const seen = new Set<string>()
  for (const a of out) {
    if (seen.has(a.path)) throw new Error(`build.config.ts: two assets land on ${a.path}`)
    seen.add(a.path)
  }
  return out
}
