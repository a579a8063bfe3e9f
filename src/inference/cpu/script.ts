/**
 * The script a CPU worker thread runs: worker.ts as one plain JavaScript file, so that a worker
 * starts without a TypeScript loader (which would cost each worker ~20 MB and a loader thread).
 * The single executable embeds the bundle its build made; a bundled CLI (scripts/gpu-check.sh)
 * finds `cpu-worker.mjs` beside its entry script; a checkout bundles worker.ts with esbuild (tsx's
 * own dependency) once, into node_modules/.cache/xrayops/, named by its content.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { embeddedFile, isSingleExecutable } from '../../runtime/embedded.ts'

/** Where the executable's build puts the bundle (build.config.ts group, file). */
export const WORKER_GROUP = 'cpu-worker'
export const WORKER_FILE = 'cpu-worker.cjs'

let built: Promise<string> | undefined

export function workerScript(): Promise<string> {
  if (isSingleExecutable()) return Promise.resolve(embeddedFile(WORKER_GROUP, WORKER_FILE))
  const beside = process.argv[1] ? path.join(path.dirname(process.argv[1]), 'cpu-worker.mjs') : ''
  if (beside && fs.existsSync(beside)) return Promise.resolve(beside)
  built ??= bundleFromSources()
  return built
}

async function bundleFromSources(): Promise<string> {
  const entry = fileURLToPath(new URL('./worker.ts', import.meta.url))
  const root = path.resolve(path.dirname(entry), '../../..')
  const pkg = 'esbuild' // not a literal: the executable's bundle must not take esbuild in
  const esbuild = (await import(pkg)) as typeof import('esbuild')
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external', // onnxruntime-node and friends load from node_modules, beside the bundle
    write: false,
    logLevel: 'silent',
  })
  const code = out.outputFiles[0]!.contents
  const dir = path.join(root, 'node_modules', '.cache', 'xrayops')
  const file = path.join(dir, `cpu-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`)
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, code)
    fs.renameSync(tmp, file) // concurrent starts write the same bytes
  }
  return file
}
