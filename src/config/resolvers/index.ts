import { fromEnv } from './env.ts'
import { fromFile } from './file.ts'
import { fromFlags } from './flags.ts'
import { resolvePaths } from './paths.ts'
import type { Resolver } from './context.ts'

export type { ResolveContext, Resolver } from './context.ts'

/** Applied in order over the defaults: file < environment < flags, then paths. Each validates what it applies. */
export const resolvers: readonly Resolver[] = [fromFile, fromEnv, fromFlags, resolvePaths]
