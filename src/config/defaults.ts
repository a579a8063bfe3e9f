import { defaultModelManifest } from './paths.ts'
import type { ServerConfig } from './schema.ts'

export const MiB = 1024 * 1024

/** The built-in values: what the server runs with when no file, environment variable or flag says otherwise. */
export function configDefaults(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    model: { path: defaultModelManifest(), architecture: 'efficientnet_b0', device: 'auto' },
    server: { host: '0.0.0.0', port: 8000, workers: 1 },
    performance: { cacheSize: 1024, enableBatching: true, batchTimeoutMs: 5, batchSize: 16 },
    logging: { level: 'info', format: env.NODE_ENV === 'production' ? 'json' : 'pretty' },
    metrics: { enabled: true },
    limits: { maxBodyBytes: 32 * MiB, maxPixels: 40_000_000, maxBatchImages: 64 },
  }
}

