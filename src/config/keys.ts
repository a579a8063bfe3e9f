import type { ArgDef } from 'citty'
import { bool, bytes, device, duration, int, list, logLevel, millis, oneOf, optional, url, word, type Parser } from './parse.ts'
import type { ServerConfig } from './schema.ts'

/** One setting: where it lives in ServerConfig, in config.yaml, in the environment and on the command line. */
export interface KeySpec {
  /** Dotted key in ServerConfig and in `sources`: `performance.cacheSize`. */
  key: string
  /** Dotted key in config.yaml: `performance.cache_size`. */
  fileKey: string
  /** The built-in value; `undefined` for an optional setting. */
  default: unknown
  parse: Parser
  env?: string
  /** The command-line flag, as typed without the dashes: `cache-size`. */
  flag?: string
  /** A file path: relative to config.yaml's folder when it comes from the file, else to the working directory. */
  path?: boolean
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const spec = (key: string, parse: Parser, dflt: unknown, more: Partial<KeySpec> = {}): KeySpec => ({ key, fileKey: snake(key), default: dflt, parse, ...more })

/** Every setting, in config.yaml's order. */
export const KEYS: readonly KeySpec[] = [
  spec('model.path', optional(word('a path to a model manifest (.json) or .onnx file', /\.(json|onnx)$/i)), undefined, { env: 'MODEL_PATH', flag: 'model', path: true }),
  spec('model.architecture', word('a model architecture name such as efficientnet_b0', /^[A-Za-z0-9_.-]+$/), 'efficientnet_b0', { flag: 'architecture' }),
  spec('model.device', device, 'auto', { env: 'DEVICE', flag: 'device' }),
  spec('server.host', word('a host name or IP address'), '0.0.0.0', { env: 'HOST', flag: 'host' }),
  spec('server.port', int(1, 65535), 8000, { env: 'PORT', flag: 'port' }),
  spec('server.workers', int(1, 256), 1, { env: 'WORKERS', flag: 'workers' }),
  spec('server.shutdownTimeoutMs', millis(3_600_000), 30_000, { fileKey: 'server.shutdown_timeout', env: 'XRAYOPS_SHUTDOWN_TIMEOUT_MS', flag: 'shutdown-timeout' }),
  spec('server.maxConnections', int(1, 1_000_000), 256, { env: 'XRAYOPS_MAX_CONNECTIONS', flag: 'max-connections' }),
  spec('server.headersTimeoutMs', millis(3_600_000), 10_000, { fileKey: 'server.headers_timeout', flag: 'headers-timeout' }),
  spec('server.requestTimeoutMs', millis(3_600_000), 60_000, { fileKey: 'server.request_timeout', flag: 'request-timeout' }),
  spec('server.keepAliveTimeoutMs', millis(3_600_000), 5_000, { fileKey: 'server.keep_alive_timeout', flag: 'keep-alive-timeout' }),
  spec('health.port', optional(int(0, 65535)), undefined, { env: 'XRAYOPS_HEALTH_PORT', flag: 'health-port' }),
  spec('performance.cacheSize', int(0), 1024, { env: 'CACHE_SIZE', flag: 'cache-size' }),
  spec('performance.enableBatching', bool, true, { flag: 'batching' }),
  spec('performance.batchTimeoutMs', millis(60_000), 0, { fileKey: 'performance.batch_timeout', env: 'BATCH_TIMEOUT', flag: 'batch-timeout' }),
  spec('performance.batchSize', int(1, 256), 16, { env: 'BATCH_SIZE', flag: 'batch-size' }),
  spec('performance.shrinkOnLoad', bool, true, { env: 'XRAYOPS_SHRINK_ON_LOAD', flag: 'shrink-on-load' }),
  spec('performance.decodeConcurrency', int(0, 1024), 0, { env: 'XRAYOPS_DECODE_CONCURRENCY', flag: 'decode-concurrency' }),
  spec('performance.cpuWorkers', int(0, 64), 1, { env: 'XRAYOPS_CPU_WORKERS', flag: 'cpu-workers' }),
  spec('performance.cpuThreads', int(0, 1024), 1, { env: 'XRAYOPS_CPU_THREADS', flag: 'cpu-threads' }),
  spec('performance.cpuBatchSize', int(1, 256), 1, { env: 'XRAYOPS_CPU_BATCH_SIZE', flag: 'cpu-batch-size' }),
  spec('performance.cpuMemoryArena', bool, true, { env: 'XRAYOPS_CPU_MEMORY_ARENA', flag: 'cpu-memory-arena' }),
  spec('performance.cpuSpin', bool, false, { env: 'XRAYOPS_CPU_SPIN', flag: 'cpu-spin' }),
  spec('performance.computeNice', int(0, 19), 10, { env: 'XRAYOPS_COMPUTE_NICE', flag: 'compute-nice' }),
  spec('gpu.allowSoftware', bool, false, { env: 'XRAYOPS_GPU_ALLOW_SOFTWARE', flag: 'gpu-allow-software' }),
  spec('gpu.dawnFlags', list('Dawn flags such as enable-dawn-features=allow_unsafe_apis'), [], { env: 'XRAYOPS_DAWN_FLAGS', flag: 'dawn-flags' }),
  spec('logging.level', logLevel, 'info', { env: 'LOG_LEVEL', flag: 'log-level' }),
  spec('logging.format', oneOf(['json', 'pretty']), 'pretty', { env: 'LOG_FORMAT', flag: 'log-format' }),
  spec('logging.file', optional(word('a file path')), undefined, { env: 'LOG_FILE', flag: 'log-file', path: true }),
  spec('metrics.enabled', bool, true, { env: 'METRICS_ENABLED', flag: 'metrics' }),
  spec('limits.maxBodyBytes', bytes(1), 32 * 1024 * 1024, { flag: 'max-body-bytes' }),
  spec('limits.maxPixels', int(1), 40_000_000, { flag: 'max-pixels' }),
  spec('limits.maxBatchImages', int(1, 1024), 64, { flag: 'max-batch-images' }),
  spec('limits.memoryBudget', bytes(16 * 1024 * 1024), 512 * 1024 * 1024, { env: 'XRAYOPS_MEMORY_BUDGET', flag: 'memory-budget' }),
  spec('limits.maxJsonDepth', int(2, 10_000), 32, { flag: 'max-json-depth' }),
  spec('limits.queueDeadlineMs', millis(3_600_000), 10_000, { fileKey: 'limits.queue_deadline', env: 'XRAYOPS_QUEUE_DEADLINE_MS', flag: 'queue-deadline' }),
  spec('state.dir', optional(word('a folder path')), undefined, { env: 'XRAYOPS_STATE_DIR', flag: 'state-dir', path: true }),
  spec('runtime.cacheDir', optional(word('a folder path')), undefined, { env: 'XRAYOPS_CACHE_DIR', path: true }),
  spec('audit.enabled', bool, true, { env: 'XRAYOPS_AUDIT_ENABLED', flag: 'audit' }),
  spec('audit.flushIntervalMs', millis(60_000), 200, { fileKey: 'audit.flush_interval', env: 'XRAYOPS_AUDIT_FLUSH_INTERVAL_MS', flag: 'audit-flush-interval' }),
  spec('audit.flushRecords', int(1, 10_000), 64, { env: 'XRAYOPS_AUDIT_FLUSH_RECORDS', flag: 'audit-flush-records' }),
  spec('audit.queueSize', int(1, 1_000_000), 10_000, { env: 'XRAYOPS_AUDIT_QUEUE_SIZE', flag: 'audit-queue-size' }),
  spec('audit.retentionMs', duration(100 * 365 * 86_400_000, 'keep forever'), 90 * 86_400_000, { fileKey: 'audit.retention', env: 'XRAYOPS_AUDIT_RETENTION', flag: 'audit-retention' }),
  spec('feedback.window', int(1, 1_000_000), 200, { env: 'XRAYOPS_FEEDBACK_WINDOW', flag: 'feedback-window' }),
  spec('drift.window', int(10, 1_000_000), 1000, { env: 'XRAYOPS_DRIFT_WINDOW', flag: 'drift-window' }),
  spec('drift.intervalMs', duration(7 * 86_400_000, 'off'), 300_000, { fileKey: 'drift.interval', env: 'XRAYOPS_DRIFT_INTERVAL', flag: 'drift-interval' }),
  spec('client.url', optional(url), undefined, { env: 'XRAYOPS_URL', flag: 'url' }),
  spec('client.gatewayUrl', optional(url), undefined, { env: 'XRAYOPS_GATEWAY_URL', flag: 'gateway' }),
  spec('client.prometheusUrl', optional(url), undefined, { env: 'PROMETHEUS_URL', flag: 'prometheus' }),
  spec('client.alertmanagerUrl', optional(url), undefined, { env: 'ALERTMANAGER_URL', flag: 'alertmanager' }),
  spec('gateway.host', word('a host name or IP address'), '0.0.0.0', { env: 'XRAYOPS_GATEWAY_HOST', flag: 'gateway-host' }),
  spec('gateway.port', int(1, 65535), 8080, { env: 'XRAYOPS_GATEWAY_PORT', flag: 'gateway-port' }),
  spec('gateway.upstream', optional(url), undefined, { env: 'XRAYOPS_GATEWAY_UPSTREAM', flag: 'upstream' }),
  spec('gateway.checkIntervalMs', millis(60_000), 1000, { fileKey: 'gateway.check_interval', flag: 'check-interval' }),
  spec('gateway.upstreamTimeoutMs', millis(3_600_000), 60_000, { fileKey: 'gateway.upstream_timeout', flag: 'upstream-timeout' }),
  spec('deploy.modelHost', word('a host name or IP address'), '127.0.0.1', { flag: 'model-host' }),
  spec('deploy.bluePort', int(1, 65535), 8001, { env: 'XRAYOPS_BLUE_PORT', flag: 'blue-port' }),
  spec('deploy.greenPort', int(1, 65535), 8002, { env: 'XRAYOPS_GREEN_PORT', flag: 'green-port' }),
  spec('deploy.readyTimeoutS', int(1, 3600), 120, { fileKey: 'deploy.ready_timeout', flag: 'ready-timeout' }),
  spec('auth.requirePredictToken', bool, false, { env: 'XRAYOPS_REQUIRE_PREDICT_TOKEN', flag: 'require-predict-token' }),
  spec('backup.dir', optional(word('a folder path')), undefined, { env: 'XRAYOPS_BACKUP_DIR', flag: 'backup-dir', path: true }),
  spec('backup.keep', int(0, 100_000), 14, { env: 'XRAYOPS_BACKUP_KEEP', flag: 'backup-keep' }),
  spec('validate.backupMaxAgeMs', duration(365 * 86_400_000, 'not checked'), 26 * 3_600_000, { fileKey: 'validate.backup_max_age', flag: 'backup-max-age' }),
  spec('validate.diskFreeMinPercent', int(0, 100), 10, { fileKey: 'validate.disk_free_min', flag: 'disk-free-min' }),
  spec('validate.memoryUsedMaxPercent', int(1, 100), 90, { fileKey: 'validate.memory_used_max', flag: 'memory-used-max' }),
  spec('notify.webhooks', list('webhook URLs (http:// or https://)'), [], { env: 'XRAYOPS_NOTIFY_WEBHOOKS', flag: 'webhook' }),
]

export const sections = [...new Set(KEYS.map((k) => k.fileKey.split('.')[0]!))]

export function getKey(config: object, key: string): unknown {
  const [section, field] = key.split('.') as [string, string]
  return (config as Record<string, Record<string, unknown>>)[section]![field]
}

export function setKey(config: object, key: string, value: unknown): void {
  const [section, field] = key.split('.') as [string, string]
  const target = ((config as Record<string, Record<string, unknown>>)[section] ??= {})
  if (value === undefined) delete target[field]
  else target[field] = value
}

/** The built-in configuration: what xrayops runs with when no file, variable or flag says otherwise. */
export function configDefaults(): ServerConfig {
  const config = {}
  for (const k of KEYS) setKey(config, k.key, structuredClone(k.default))
  return config as ServerConfig
}

const describeKey = (k: KeySpec) => `${k.fileKey}: ${k.parse.allowed}${k.env ? `; overrides $${k.env}` : ''}`

/** citty `args` for the setting flags of `section`s (all when none are named): `--port`, `--cache-size`, ... */
export function settingArgs(...only: string[]): Record<string, ArgDef> {
  const keys = KEYS.filter((k) => k.flag && (only.length === 0 || only.some((s) => k.key === s || k.key.startsWith(`${s}.`))))
  return Object.fromEntries(keys.map((k) => [k.flag!, { type: 'string', description: describeKey(k) } satisfies ArgDef]))
}

/** The setting flags a user gave, out of parsed command-line args (citty gives kebab and camel keys). */
export function flagsFromArgs(args: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of KEYS) {
    if (!k.flag) continue
    const v = args[k.flag] ?? args[k.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())]
    if (v !== undefined) out[k.flag] = String(v)
  }
  return out
}
