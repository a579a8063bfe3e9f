import path from 'node:path'
import { findConfigFile, readConfigFile, type FileEntry } from './file.ts'
import { configDefaults, KEYS, sections, setKey, type KeySpec } from './keys.ts'
import { configError, INVALID, type Origin } from './parse.ts'
import type { ConfigSource, ServerConfig } from './schema.ts'

export interface LoadConfigOptions {
  /** `--config FILE`; must exist. Else $XRAYOPS_CONFIG (must exist), else ./deployment/config.yaml when there is one. */
  configPath?: string
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv
  /** Setting flags by name (`port`, `cache-size`), as typed. */
  flags?: Record<string, string | number | boolean>
  /** Where relative paths outside the file resolve, and where deployment/config.yaml is looked for. Default: process.cwd(). */
  cwd?: string
}

export interface LoadedConfig {
  config: ServerConfig
  /** Per dotted ServerConfig key (`performance.cacheSize`): where its value came from. */
  sources: Record<string, ConfigSource>
  /** The config file read, absolute, if any. */
  file?: string
}

/** One raw value for one key, from one layer. */
interface Raw {
  spec: KeySpec
  value: unknown
  origin: Origin
}

/**
 * The effective configuration: defaults < config file < environment < flags. Each value is
 * validated by its key's parser; an error names the key, the value, where it came from and what
 * is allowed (XrayError CONFIG_INVALID).
 */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? process.cwd()
  const file = findConfigFile(opts.configPath, env, cwd)
  const layers: Raw[][] = [
    file ? fileLayer(file, await readConfigFile(file)) : [],
    KEYS.filter((k) => k.env && env[k.env]?.trim()).map((spec) => ({ spec, value: env[spec.env!], origin: { source: 'env', name: spec.env! } })),
    KEYS.filter((k) => k.flag && opts.flags?.[k.flag] !== undefined).map((spec) => ({ spec, value: opts.flags![spec.flag!], origin: { source: 'flag', name: `--${spec.flag}` } })),
  ]
  const config = configDefaults()
  const sources: Record<string, ConfigSource> = Object.fromEntries(KEYS.map((k) => [k.key, 'default']))
  for (const { spec, value, origin } of layers.flat()) {
    let parsed = spec.parse.parse(value)
    if (parsed === INVALID) throw configError(spec.key, value, origin, spec.parse.allowed)
    if (spec.path && typeof parsed === 'string') parsed = path.resolve(origin.source === 'file' ? path.dirname(file!) : cwd, parsed)
    setKey(config, spec.key, parsed)
    sources[spec.key] = origin.source
  }
  return { config, sources, ...(file ? { file } : {}) }
}

/**
 * One setting from the environment alone, through its key's parser: for code that runs before a
 * command has loaded its configuration (the executable's extraction folder).
 */
export function envSetting(key: string, env: NodeJS.ProcessEnv = process.env): unknown {
  const spec = KEYS.find((k) => k.key === key)
  if (!spec?.env) throw new Error(`${key} has no environment variable`)
  const raw = env[spec.env]
  if (raw === undefined || raw.trim() === '') return spec.default
  const value = spec.parse.parse(raw)
  if (value === INVALID) throw configError(spec.key, raw, { source: 'env', name: spec.env }, spec.parse.allowed)
  return spec.path && typeof value === 'string' ? path.resolve(value) : value
}

/** config.yaml's entries as raw values. Unknown keys are errors: they are usually typos. */
function fileLayer(file: string, entries: FileEntry[]): Raw[] {
  const out: Raw[] = []
  for (const { fileKey, value, line } of entries) {
    const origin = { source: 'file' as const, name: fileKey, file, line }
    const spec = KEYS.find((k) => k.fileKey === fileKey)
    if (spec) out.push({ spec, value, origin })
    else if (sections.includes(fileKey)) {
      if (value !== null) throw configError(fileKey, value, origin, `a mapping of ${keysOf(fileKey).join(', ')}`)
    } else {
      const hint = closest(fileKey)
      throw configError(fileKey, value, origin, `one of the known keys${hint ? ` (did you mean ${hint}?)` : ''}`, 'is not a known key')
    }
  }
  return out
}

const keysOf = (section: string) => KEYS.filter((k) => k.fileKey.startsWith(`${section}.`)).map((k) => k.fileKey.slice(section.length + 1))

/** The known key nearest to a misspelt one, if it is near (edit distance <= 3). */
function closest(key: string): string | undefined {
  let best: { key: string; d: number } | undefined
  for (const { fileKey } of KEYS) {
    const d = distance(key, fileKey)
    if (d <= 3 && (!best || d < best.d)) best = { key: fileKey, d }
  }
  return best?.key
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}
