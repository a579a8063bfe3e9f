/**
 * `npm run build`: dist/xrayops, one Linux x64 file holding Node, the bundled app and its native
 * libraries, wasm and default model (build.config.ts lists them; docs/BUILD.md explains).
 *
 *   tsx scripts/build/main.ts [--out FILE] [--no-cache]
 *
 * Started on any Node >= 20 (tsx); it fetches the Node 24 base binary and continues on it (zstd
 * and the SEA blob need that version; it runs this TypeScript by type stripping).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { prepareAssets } from './assets.ts'
import { ensureBaseNode } from './base-node.ts'
import { bundle } from './bundle.ts'
import { loadConfig, repoRoot, resolveAssets } from './config.ts'
import { makeExecutable } from './sea.ts'

const { values: opts } = parseArgs({
  options: { out: { type: 'string' }, 'no-cache': { type: 'boolean', default: false } },
})

const t0 = performance.now()
const config = await loadConfig()
const cacheDir = path.join(repoRoot, '.cache', 'build')
const baseNode = ensureBaseNode(config.node, cacheDir)

// Compression and the SEA blob always run on the pinned base binary, whatever Node started the build.
if (process.version !== `v${config.node.version}`) {
  if (process.env.XRAYOPS_BUILD_REEXEC) throw new Error(`${baseNode} is ${process.version}, expected v${config.node.version}`)
  const r = spawnSync(baseNode, ['--disable-warning=ExperimentalWarning', import.meta.filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, XRAYOPS_BUILD_REEXEC: '1' },
  })
  process.exit(r.status ?? 1)
}

const output = path.resolve(repoRoot, opts.out ?? config.output)
// A work folder of this build's own: concurrent builds do not share one, and nothing is left beside the output.
fs.mkdirSync(path.dirname(output), { recursive: true })
const work = fs.mkdtempSync(path.join(cacheDir, 'work-'))
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }))

const assets = resolveAssets(config)
for (const w of config.bundle.workers) {
  const file = path.join(work, w.file)
  await bundle(config, assets, repoRoot, file, w.entry)
  assets.push({ group: w.group, source: file, path: `app/${w.file}`, addon: false })
}
const prepared = await prepareAssets(assets, config.compression, { cache: path.join(cacheDir, 'assets'), work, useCache: !opts['no-cache'] })
const main = path.join(work, 'bundle.cjs')
await bundle(config, assets, repoRoot, main)
await makeExecutable({ baseNode, main, assets: prepared.seaAssets, work, output })

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`
const width = Math.max(...prepared.rows.map((r) => r.path.length))
for (const r of prepared.rows) console.log(`  ${r.path.padEnd(width)}  ${mb(r.size).padStart(8)} -> ${mb(r.stored).padStart(8)}`)
console.log(`  ${'bundle.cjs'.padEnd(width)}  ${mb(fs.statSync(main).size).padStart(8)}`)
console.log(`  ${`node ${config.node.version} base${config.node.strip ? ' (stripped)' : ''}`.padEnd(width)}  ${mb(fs.statSync(baseNode).size).padStart(8)}`)
console.log(`${path.relative(process.cwd(), output)}: ${mb(fs.statSync(output).size)}, content id ${prepared.manifest.id}, ${((performance.now() - t0) / 1000).toFixed(1)} s`)
