import { bool, bytes, device, int, logLevel, millis, oneOf, optional, word, type Parser } from './parse.ts'
import type { FlatFlags } from './schema.ts'

/** One setting: where it lives in ServerConfig, in config.yaml, in the environment and on the command line. */
export interface KeySpec {
  /** Dotted key in ServerConfig and in `sources`: `performance.cacheSize`. */
  key: string
  /** Dotted key in config.yaml: `performance.cache_size`. */
  fileKey: string
  env?: string
  flag?: keyof FlatFlags
  parse: Parser
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const spec = (key: string, parse: Parser, more: Partial<KeySpec> = {}): KeySpec => ({ key, fileKey: snake(key), parse, ...more })

/** Every setting, in config.yaml's order. */
export const KEYS: readonly KeySpec[] = [
  spec('model.path', word('a path to a model manifest (.json) or .onnx file', /\.(json|onnx)$/i), { env: 'MODEL_PATH', flag: 'model' }),
  spec('model.architecture', word('a model architecture name such as efficientnet_b0', /^[A-Za-z0-9_.-]+$/), { flag: 'architecture' }),
  spec('model.device', device, { env: 'DEVICE', flag: 'device' }),
  spec('server.host', word('a host name or IP address'), { env: 'HOST', flag: 'host' }),
  spec('server.port', int(1, 65535), { env: 'PORT', flag: 'port' }),
  spec('server.workers', int(1, 256), { env: 'WORKERS', flag: 'workers' }),
  spec('performance.cacheSize', int(0), { env: 'CACHE_SIZE', flag: 'cacheSize' }),
  spec('performance.enableBatching', bool, { flag: 'batching' }),
  spec('performance.batchTimeoutMs', millis(60_000), { fileKey: 'performance.batch_timeout', env: 'BATCH_TIMEOUT', flag: 'batchTimeout' }),
  spec('performance.batchSize', int(1, 256), { env: 'BATCH_SIZE', flag: 'batchSize' }),
  spec('logging.level', logLevel, { env: 'LOG_LEVEL', flag: 'logLevel' }),
  spec('logging.format', oneOf(['json', 'pretty']), { flag: 'logFormat' }),
  spec('logging.file', optional(word('a file path')), { flag: 'logFile' }),
  spec('metrics.enabled', bool, { env: 'METRICS_ENABLED', flag: 'metrics' }),
  spec('limits.maxBodyBytes', bytes(1), { flag: 'maxBodyBytes' }),
  spec('limits.maxPixels', int(1), { flag: 'maxPixels' }),
  spec('limits.maxBatchImages', int(1, 1024), { flag: 'maxBatchImages' }),
]

export const sections = [...new Set(KEYS.map((k) => k.fileKey.split('.')[0]!))]

/** `cacheSize` -> `cache-size`, as typed on the command line. */
export const flagName = (flag: string) => flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

export function getKey(config: object, key: string): unknown {
  const [section, field] = key.split('.') as [string, string]
  return (config as Record<string, Record<string, unknown>>)[section]![field]
}

export function setKey(config: object, key: string, value: unknown): void {
  const [section, field] = key.split('.') as [string, string]
  const target = (config as Record<string, Record<string, unknown>>)[section]!
  if (value === undefined) delete target[field]
  else target[field] = value
}
