import type { DeviceMode } from './device.ts'

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

/** The model server's effective configuration (deployment/config.yaml + environment + flags). */
export interface ServerConfig {
  model: {
    /** Manifest (.json) or .onnx with its manifest beside it. */
    path: string
    architecture: string
    device: DeviceMode
  }
  server: { host: string; port: number; workers: number }
  performance: {
    cacheSize: number
    enableBatching: boolean
    /** Longest wait for a batch to fill, in milliseconds. */
    batchTimeoutMs: number
    batchSize: number
  }
  logging: { level: LogLevel; format: 'json' | 'pretty'; file?: string }
  metrics: { enabled: boolean }
  limits: { maxBodyBytes: number; maxPixels: number; maxBatchImages: number }
}

/** Where an effective value came from, per dotted key (`performance.cacheSize`). */
export type ConfigSource = 'default' | 'file' | 'env' | 'flag'

/** Command-line overrides, one per flag (`--cache-size` is `cacheSize`); strings as typed, or parsed values. */
export interface FlatFlags {
  model: string
  architecture: string
  device: string
  host: string
  port: string | number
  workers: string | number
  cacheSize: string | number
  batching: string | boolean
  batchTimeout: string | number
  batchSize: string | number
  logLevel: string
  logFormat: string
  logFile: string
  metrics: string | boolean
  maxBodyBytes: string | number
  maxPixels: string | number
  maxBatchImages: string | number
}
