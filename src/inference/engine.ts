import os from 'node:os'
import { logger } from '../log.ts'
import type { DeviceMode } from '../config/schema.ts'
import { XrayError } from '../errors/index.ts'
import { selectAdapter } from '../gpu/dawn.ts'
import type { LoadedModel } from '../models/manifest.ts'
import type { PreprocessParams } from '../preprocess/params.ts'
import { CpuEngine, type CpuEngineOptions } from './cpu-engine.ts'
import type { Engine } from './types.ts'
import { WebGpuEngine } from './webgpu-engine.ts'

const log = logger('engine')

export interface EngineOptions {
  device: DeviceMode
  /** The CPU engine's workers, threads and memory (threads 0: the cores divided among the workers). */
  cpu?: Partial<CpuEngineOptions>
  /**
   * Niceness of the compute threads (Linux): the CPU engine's workers with their onnxruntime
   * threads, and libvips' decoders (performance.compute_nice). 0: the event loop's priority.
   */
  computeNice?: number
  /** Flags for Dawn's instance (gpu.dawn_flags). */
  dawnFlags?: string[]
  /** `auto` also takes a software adapter (gpu.allow_software). */
  allowSoftware?: boolean
  /** Starts the WebGPU engine on an adapter; WebGpuEngine.create unless replaced. */
  startGpu?: (adapter: GPUAdapter, allowSoftware: boolean, model: LoadedModel, params: PreprocessParams) => Promise<Engine>
}

export interface StartedEngine {
  engine: Engine
  /** Set when DEVICE=auto found a GPU but had to run on the CPU: why. */
  fallback?: string
}

/**
 * The engine for the device mode: `cpu` never loads the GPU runtime; `gpu` insists on a WebGPU
 * adapter (a software one too); `auto` takes a hardware adapter (or any, with `allowSoftware`) and falls back
 * to the CPU, saying why, when its engine fails to start.
 */
export async function startEngine(model: LoadedModel, params: PreprocessParams, opts: EngineOptions): Promise<StartedEngine> {
  const mode = opts.device
  const cpu = () => {
    const workers = opts.cpu?.workers ?? 1
    // 0: the cores divided among the workers; 1 by default (performance.cpu_threads).
    const threads = opts.cpu?.threads === 0 ? Math.max(1, Math.floor(os.availableParallelism() / Math.max(1, workers))) : (opts.cpu?.threads ?? 1)
    return CpuEngine.create(model, params, { ...opts.cpu, workers, threads, nice: opts.computeNice ?? 0 })
  }
  if (mode === 'cpu') return { engine: await cpu() }
  const allowSoftware = mode === 'gpu' || Boolean(opts.allowSoftware)
  let adapter: GPUAdapter | null = null
  try {
    adapter = await selectAdapter({ allowSoftware, flags: opts.dawnFlags })
  } catch (e) {
    if (mode === 'gpu') throw e
    log.warn(`no WebGPU runtime, using the CPU: ${(e as Error).message}`)
  }
  if (!adapter) {
    if (mode === 'gpu') throw new XrayError('NO_GPU', 'DEVICE=gpu but no WebGPU adapter was found (is VK_DRIVER_FILES set to the driver ICD?)')
    log.info('no GPU adapter found; running on the CPU')
    return { engine: await cpu() }
  }
  const startGpu = opts.startGpu ?? ((a, soft, m, p) => WebGpuEngine.create(a, { allowSoftware: soft, dawnFlags: opts.dawnFlags }, m, p))
  try {
    return { engine: await startGpu(adapter, allowSoftware, model, params) }
  } catch (e) {
    if (mode === 'gpu') throw e
    const fallback = `a GPU adapter was found but the WebGPU engine failed to start: ${(e as Error).message}`
    log.warn(`${fallback}; using the CPU`)
    return { engine: await cpu(), fallback }
  }
}
