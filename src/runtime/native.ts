/**
 * Where native and wasm dependencies come from. From a checkout they are ordinary packages in
 * node_modules; the single executable replaces these loaders with ones that extract its
 * embedded copies to a cache folder first.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

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

/** URL of onnxruntime-web's JSEP (WebGPU) ESM bundle; its .wasm sits beside it. */
export const ortWebBundleUrl = (): string =>
  pathToFileURL(path.join(path.dirname(require.resolve('onnxruntime-web')), 'ort.all.bundle.min.mjs')).href
