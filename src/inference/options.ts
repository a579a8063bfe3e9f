import type { ServerConfig } from '../config/schema.ts'
import type { ServiceOptions } from './service.ts'

/** The prediction service's options from the configuration (model, device, limits, cache, batching). */
export function serviceOptions(config: ServerConfig): ServiceOptions {
  const p = config.performance
  return {
    model: config.model.path,
    architecture: config.model.architecture,
    device: config.model.device,
    cpu: { workers: p.cpuWorkers, threads: p.cpuThreads, maxBatch: p.cpuBatchSize, memoryArena: p.cpuMemoryArena, spin: p.cpuSpin },
    computeNice: p.computeNice,
    dawnFlags: config.gpu.dawnFlags,
    allowSoftware: config.gpu.allowSoftware,
    limits: { maxBytes: config.limits.maxBodyBytes, maxPixels: config.limits.maxPixels },
    cacheSize: p.cacheSize,
    shrinkOnLoad: p.shrinkOnLoad,
    decodeConcurrency: p.decodeConcurrency,
    memoryBudget: config.limits.memoryBudget,
    queueDeadlineMs: config.limits.queueDeadlineMs,
    batching: { maxBatch: p.enableBatching ? p.batchSize : 1, maxDelayMs: p.enableBatching ? p.batchTimeoutMs : 0 },
  }
}
