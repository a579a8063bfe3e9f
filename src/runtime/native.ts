/**
 * Where native and wasm dependencies come from. From a checkout they are ordinary packages in
 * node_modules. In the single executable the bundle redirects each `require('*.node')` to
 * requireEmbeddedAddon (scripts/build/native-plugin.ts), so the same imports load the embedded
 * copies once extracted to the cache folder; onnxruntime-web's bundle is extracted beside its wasm.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { embeddedFile, isSingleExecutable } from './embedded.ts'

const require = createRequire(import.meta.url)

export interface WebgpuModule {
  create: (flags: string[]) => GPU
  globals: Record<string, unknown>
}

export const loadWebgpu = async (): Promise<WebgpuModule> => (await import('webgpu')) as WebgpuModule

export const loadOrtNode = async (): Promise<typeof import('onnxruntime-node')> => {
  const mod = (await import('onnxruntime-node')) as typeof import('onnxruntime-node') & { default?: typeof import('onnxruntime-node') }
  return mod.default ?? mod
}

/** better-sqlite3, the SQLite driver on Node versions without a usable node:sqlite (src/state/sqlite.ts). */
export const loadBetterSqlite3 = async (): Promise<typeof import('better-sqlite3')> => {
  const mod = (await import('better-sqlite3')) as unknown as { default?: typeof import('better-sqlite3') } & typeof import('better-sqlite3')
  return mod.default ?? mod
}

type Sharp = typeof import('sharp').default
let sharp: Promise<Sharp> | undefined

/** sharp (libvips), loaded on first use. Its cache is off: libvips decodes on libuv's thread pool, so decoding never blocks the event loop. */
export const loadSharp = (): Promise<Sharp> =>
  (sharp ??= import('sharp').then((m) => {
    const s = ((m as { default?: Sharp }).default ?? m) as Sharp
    s.cache(false)
    return s
  }))

/** Group of onnxruntime-web's files in the executable (build.config.ts). */
export const ORT_WEB_GROUP = 'onnxruntime-web'
const ORT_WEB_BUNDLE = 'ort.all.bundle.min.mjs'

/** URL of onnxruntime-web's JSEP (WebGPU) ESM bundle; its .wasm sits beside it. */
export const ortWebBundleUrl = (): string =>
  pathToFileURL(
    isSingleExecutable()
      ? embeddedFile(ORT_WEB_GROUP, ORT_WEB_BUNDLE)
      : path.join(path.dirname(require.resolve('onnxruntime-web')), ORT_WEB_BUNDLE),
  ).href
