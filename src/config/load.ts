import { configDefaults } from './defaults.ts'
import { findConfigFile, readConfigFile } from './file.ts'
import { KEYS } from './keys.ts'
import { resolvers, type ResolveContext } from './resolvers/index.ts'
import type { ConfigSource, FlatFlags, ServerConfig } from './schema.ts'

export interface LoadConfigOptions {
  /** `--config FILE`; must exist. Else $XRAYOPS_CONFIG (must exist), else ./deployment/config.yaml when there is one. */
  configPath?: string
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv
  flags?: Partial<FlatFlags>
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

/**
 * The effective server configuration: defaults < config file < environment < flags.
 * Throws XrayError('CONFIG_INVALID') naming the key, the value, where it came from and what is allowed.
 */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? process.cwd()
  const file = findConfigFile(opts.configPath, env, cwd)
  const ctx: ResolveContext = {
    config: configDefaults(env),
    sources: Object.fromEntries(KEYS.map((k) => [k.key, 'default' as const])),
    env,
    flags: opts.flags ?? {},
    cwd,
    ...(file ? { file: { path: file, entries: await readConfigFile(file) } } : {}),
  }
  for (const resolve of resolvers) resolve(ctx)
  return { config: ctx.config, sources: ctx.sources, ...(file ? { file } : {}) }
}
