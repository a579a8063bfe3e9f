/** The app as one CommonJS file for the SEA main script, or another entry (a worker thread's script) (esbuild). */
import path from 'node:path'
import * as esbuild from 'esbuild'
import type { BuildConfig, ResolvedAsset } from './config.ts'
import { dependencyVersions } from '../../src/runtime/versions.ts'
import { nativePlugin } from './native-plugin.ts'

export async function bundle(config: BuildConfig, assets: ResolvedAsset[], root: string, outfile: string, entry = config.bundle.entry): Promise<esbuild.Metafile> {
  const main = entry === config.bundle.entry
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: config.bundle.target,
    // Subcommands stay lazy: esbuild turns `import('./commands/x.ts')` into a deferred module
    // initializer, so `--help` runs no Dawn, onnxruntime or sharp code.
    minify: true,
    keepNames: true,
    legalComments: 'eof',
    charset: 'utf8',
    alias: config.bundle.alias,
    loader: Object.fromEntries(config.bundle.textLoaders.map((ext) => [ext, 'text' as const])),
    // Versions of the embedded dependencies, read here: the executable has no node_modules to read.
    define: { 'import.meta.url': 'import_meta_url', __XRAYOPS_DEP_VERSIONS__: JSON.stringify(dependencyVersions()) },
    inject: [path.join(root, 'scripts/build/import-meta-url.js')],
    // Only the main bundle must reach every embedded addon; a worker's bundle reaches the ones it uses.
    plugins: [nativePlugin({ root, assets, patches: config.patches, runtimeModule: path.join(root, 'src/runtime/embedded.ts'), requireAll: main })],
    metafile: true,
    logLevel: 'warning',
    logOverride: { 'empty-import-meta': 'silent' },
  })
  return result.metafile
}
