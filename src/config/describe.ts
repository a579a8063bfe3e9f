import { KEYS, getKey } from './keys.ts'
import type { LoadedConfig } from './load.ts'
import { describeOrigin } from './parse.ts'
import type { ConfigSource } from './schema.ts'

/** One effective setting and where it came from, for `xrayops config print`. */
export interface ConfigRow {
  /** Dotted ServerConfig key: `performance.cacheSize`. */
  key: string
  /** The same in config.yaml: `performance.cache_size`. */
  fileKey: string
  /** Its environment variable, if it has one. */
  env?: string
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
      : source === 'flag' ? `flag --${spec.flag}`
      : 'default'
    return { key: spec.key, fileKey: spec.fileKey, ...(spec.env ? { env: spec.env } : {}), value: getKey(config, spec.key), source, from }
  })
}

const shown = (v: unknown) => (v === undefined ? '(unset)' : Array.isArray(v) ? v.join(',') || '(none)' : String(v))

/** A plain-text table: file key, value, origin, environment variable. */
export function formatConfig(loaded: LoadedConfig): string {
  const rows = describeConfig(loaded).map((r) => [r.fileKey, shown(r.value), r.from, r.env ? `$${r.env}` : ''])
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
  const header = `config file: ${loaded.file ?? '(none)'}  (--config, $XRAYOPS_CONFIG, else ./deployment/config.yaml)`
  return [header, ...rows.map((r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`.trimEnd())].join('\n')
}
