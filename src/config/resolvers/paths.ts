import path from 'node:path'
import type { Resolver } from './context.ts'

/** Makes model.path absolute: a path from config.yaml is relative to the file's folder, any other to the working directory. */
export const resolvePaths: Resolver = (ctx) => {
  const base = ctx.sources['model.path'] === 'file' && ctx.file ? path.dirname(ctx.file.path) : ctx.cwd
  ctx.config.model.path = path.resolve(base, ctx.config.model.path)
}
