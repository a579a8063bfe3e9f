import type { ServerConfig } from '../config/schema.ts'
import type { ServiceOptions } from './service.ts'

/** The prediction service's options from the configuration (model, device, limits, cache, batching). */
export function serviceOptions(config: ServerConfig): ServiceOptions {
  const p = config.performance
  return {
    model: config.model.path,
    architecture: config.model.architecture,
    device: config.model.device,
    cpuThreads: p.cpuThreads,
    dawnFlags: config.gpu.dawnFlags,
    allowSoftware: config.gpu.allowSoftware,
    limits: { maxBytes: config.limits.maxBodyBytes, maxPixels: config.limits.maxPixels },
    cacheSize: p.cacheSize,
    batching: { maxBatch: p.enableBatching ? p.batchSize : 1, maxDelayMs: p.enableBatching ? p.batchTimeoutMs : 0 },
  }
}
