import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** Set by the executable's build: the versions it embeds. */
declare const __XRAYOPS_DEP_VERSIONS__: Record<string, string> | undefined

/** Versions of the runtime pieces, read from their package.json files (at build time in the executable). */
export function dependencyVersions(): Record<string, string> {
  if (typeof __XRAYOPS_DEP_VERSIONS__ !== 'undefined') return __XRAYOPS_DEP_VERSIONS__
  const out: Record<string, string> = {}
  for (const name of ['onnxruntime-web', 'onnxruntime-node', 'webgpu', 'sharp', 'hono']) {
    try {
      let dir = path.dirname(require.resolve(name))
      while (!dir.endsWith(`node_modules${path.sep}${name}`) && dir !== path.dirname(dir)) dir = path.dirname(dir)
      out[name] = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version
    } catch {
      out[name] = 'unknown'
    }
  }
  return out
}
