import { describeOrigin } from './invalid.ts'
import { flagName, getKey, KEYS } from './keys.ts'
import type { LoadedConfig } from './load.ts'
import type { ConfigSource } from './schema.ts'

/** One effective setting and where it came from, for `xrayops config print`. */
export interface ConfigRow {
  /** Dotted ServerConfig key: `performance.cacheSize`. */
  key: string
  /** The same in config.yaml: `performance.cache_size`. */
  fileKey: string
  value: unknown
  source: ConfigSource
  /** `default`, `file /path/config.yaml`, `env PORT` or `flag --port`. */
  from: string
}

export function describeConfig({ config, sources, file }: LoadedConfig): ConfigRow[] {
  return KEYS.map((spec) => {
    const source = sources[spec.key] ?? 'default'
    const from =
      source === 'file' ? describeOrigin({ source, name: spec.fileKey, file })
      : source === 'env' ? `env ${spec.env}`
      : source === 'flag' ? `flag --${flagName(spec.flag!)}`
      : 'default'
    return { key: spec.key, fileKey: spec.fileKey, value: getKey(config, spec.key), source, from }
  })
}

/** A plain-text table: file key, value, origin. */
export function formatConfig(loaded: LoadedConfig): string {
  const rows = describeConfig(loaded).map((r) => [r.fileKey, r.value === undefined ? '(unset)' : String(r.value), r.from])
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
  const header = `config file: ${loaded.file ?? '(none)'}`
  return [header, ...rows.map((r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`)].join('\n')
}
