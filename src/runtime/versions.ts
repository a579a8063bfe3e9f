import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** Versions of the runtime pieces, read from their package.json files (build time in the executable). */
export function dependencyVersions(): Record<string, string> {
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
