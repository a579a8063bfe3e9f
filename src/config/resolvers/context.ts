import type { FileEntry } from '../file.ts'
import type { ConfigSource, FlatFlags, ServerConfig } from '../schema.ts'

/** What the resolvers read and update, in order. */
export interface ResolveContext {
  config: ServerConfig
  sources: Record<string, ConfigSource>
  env: NodeJS.ProcessEnv
  flags: Partial<FlatFlags>
  cwd: string
  /** The config file read, if any, and its entries. */
  file?: { path: string; entries: FileEntry[] }
}

export type Resolver = (ctx: ResolveContext) => void
