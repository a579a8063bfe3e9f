/**
 * esbuild plugin for the single executable:
 * - every `*.node` file the bundle reaches becomes a stub: an embedded addon calls
 *   requireEmbeddedAddon (src/runtime/embedded.ts), any other (another platform's binary, found
 *   through a pattern `require`) throws when required;
 * - the source patches of build.config.ts, each asserted to apply exactly once.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Plugin } from 'esbuild'
import type { ResolvedAsset, SourcePatch } from './config.ts'

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export function nativePlugin(opts: { root: string; assets: ResolvedAsset[]; patches: SourcePatch[]; runtimeModule: string; requireAll?: boolean }): Plugin {
  const addons = new Map(opts.assets.filter((a) => a.addon).map((a) => [a.source, a.path]))
  const rel = (p: string) => path.relative(opts.root, p).split(path.sep).join('/')
  return {
    name: 'xrayops-native',
    setup(build) {
      const used = new Set<string>()
      build.onLoad({ filter: /\.node$/ }, (args) => {
        const target = addons.get(args.path)
        if (target) used.add(args.path)
        return {
          loader: 'js',
          resolveDir: opts.root,
          contents: target
            ? `module.exports = require(${JSON.stringify(`./${rel(opts.runtimeModule)}`)}).requireEmbeddedAddon(${JSON.stringify(target)});\n`
            : `throw new Error(${JSON.stringify(`${rel(args.path)} is not embedded in this executable`)});\n`,
        }
      })
      const byFile = new Map<string, SourcePatch[]>()
      for (const p of opts.patches) {
        const file = path.join(opts.root, p.file)
        byFile.set(file, [...(byFile.get(file) ?? []), p])
      }
      for (const [file, patches] of byFile) {
        build.onLoad({ filter: new RegExp(`^${escape(file)}$`) }, (args) => {
          let src = fs.readFileSync(args.path, 'utf8')
          for (const p of patches) {
            const n = src.split(p.find).length - 1
            if (n !== 1) throw new Error(`patch for ${p.file}: expected the text once, found it ${n} times (did the package change?)`)
            src = src.replace(p.find, () => p.replace)
          }
          return { loader: 'js', contents: src }
        })
      }
      build.onEnd((result) => {
        if (result.errors.length || opts.requireAll === false) return
        const missing = [...addons.keys()].filter((a) => !used.has(a))
        if (missing.length) result.errors.push({ id: 'unused-addon', pluginName: 'xrayops-native', text: `addons embedded but never required by the bundle: ${missing.map(rel).join(', ')}`, location: null, notes: [], detail: undefined })
      })
    },
  }
}
