import { logger } from '../log.ts'
import { XrayError } from '../errors/index.ts'
import { loadWebgpu } from '../runtime/native.ts'
import { patchQueueForSharedMemory } from './shims.ts'

const log = logger('gpu')

export interface AdapterSummary {
  vendor: string
  architecture: string
  device: string
  description: string
  /** Software rasterizers (lavapipe, SwiftShader) report true. */
  fallback: boolean
}

let gpu: GPU | undefined

/**
 * Loads Dawn (npm `webgpu`), installs its globals (GPUBufferUsage, ...) and `navigator.gpu`,
 * which onnxruntime-web's WebGPU backend looks for, and patches what Dawn needs patched. The
 * instance is made once per process, with the `flags` of the first call (gpu.dawn_flags).
 */
export async function loadDawn(flags: string[] = []): Promise<GPU> {
  if (gpu) return gpu
  process.env.XDG_RUNTIME_DIR ??= '/tmp'
  const mod = await loadWebgpu()
  Object.assign(globalThis, mod.globals)
  patchQueueForSharedMemory(mod.globals.GPUQueue as { prototype: GPUQueue })
  gpu = mod.create(flags)
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true })
  return gpu
}

export const summarizeAdapter = (a: GPUAdapter): AdapterSummary => {
  const info = a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    fallback: Boolean(info.isFallbackAdapter ?? (a as { isFallbackAdapter?: boolean }).isFallbackAdapter),
  }
}

export const adapterName = (s: AdapterSummary) => s.description || [s.vendor, s.architecture, s.device].filter(Boolean).join(' ')

/**
 * Picks the adapter: the high-performance one. Software adapters are used only when
 * `allowSoftware` (DEVICE=gpu on a host without a hardware GPU, e.g. CI on lavapipe).
 * Returns null when there is none that qualifies.
 */
export async function selectAdapter({ allowSoftware, flags }: { allowSoftware: boolean; flags?: string[] }): Promise<GPUAdapter | null> {
  let g: GPU
  try {
    g = await loadDawn(flags)
  } catch (cause) {
    throw new XrayError('GPU_ERROR', `cannot load the WebGPU runtime (Dawn): ${(cause as Error).message}`, { cause })
  }
  const adapter = await g.requestAdapter({ powerPreference: 'high-performance' }).catch((e: unknown) => {
    log.debug('requestAdapter failed', e)
    return null
  })
  if (!adapter) return null
  const s = summarizeAdapter(adapter)
  if (s.fallback && !allowSoftware) {
    log.info(`ignoring software adapter ${adapterName(s)} (DEVICE=gpu or gpu.allow_software uses it)`)
    return null
  }
  return adapter
}
