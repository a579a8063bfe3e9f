import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { configDefaults, KEYS } from '../../src/config/keys.ts'
import { loadConfig } from '../../src/config/load.ts'
import { tmp, write } from './helpers.ts'

const yaml = `
server:
  host: 127.0.0.1
  port: 8100
  workers: 2
performance:
  cache_size: 10
  enable_batching: no
logging:
  level: debug
`

describe('loadConfig', () => {
  it('uses the defaults when there is no file, variable or flag', async () => {
    const dir = tmp()
    const { config, sources, file } = await loadConfig({ env: {}, cwd: dir })
    expect(file).toBeUndefined()
    expect(config).toEqual(configDefaults())
    expect(config.model.path).toBeUndefined() // the shipped model, resolved only when a model is loaded
    expect(config.server).toEqual({ host: '0.0.0.0', port: 8000, workers: 1, shutdownTimeoutMs: 30_000, maxConnections: 256, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 })
    expect(config.limits).toEqual({ maxBodyBytes: 32 * 1024 * 1024, maxPixels: 40_000_000, maxBatchImages: 64, memoryBudget: 512 * 1024 * 1024, maxJsonDepth: 32, queueDeadlineMs: 10_000 })
    expect(config.logging).toEqual({ level: 'info', format: 'pretty' })
    expect(Object.values(sources).every((s) => s === 'default')).toBe(true)
  })

  it('reads every environment variable xrayops knows through the table, and no other', async () => {
    const env = { LOG_FORMAT: 'json', XRAYOPS_CPU_THREADS: '2', XRAYOPS_DAWN_FLAGS: 'a=1, b', XRAYOPS_URL: 'http://h:1/', NODE_ENV: 'production' }
    const { config, sources } = await loadConfig({ env, cwd: tmp() })
    expect(config.logging.format).toBe('json')
    expect(config.performance.cpuThreads).toBe(2)
    expect(config.gpu.dawnFlags).toEqual(['a=1', 'b'])
    expect(config.client.url).toBe('http://h:1')
    expect(Object.entries(sources).filter(([, s]) => s === 'env').map(([k]) => k)).toEqual(['performance.cpuThreads', 'gpu.dawnFlags', 'logging.format', 'client.url'])
    expect(new Set(KEYS.flatMap((k) => (k.env ? [k.env] : []))).size).toBe(KEYS.filter((k) => k.env).length)
  })

  it('layers file < environment < flags, and records where each value came from', async () => {
    const dir = tmp()
    const configPath = write(dir, 'server.yaml', yaml)
    const { config, sources, file } = await loadConfig({ configPath, env: { PORT: '8200', WORKERS: '3', CACHE_SIZE: '0' }, flags: { port: '8300' }, cwd: dir })
    expect(file).toBe(configPath)
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8300, workers: 3, shutdownTimeoutMs: 30_000, maxConnections: 256, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 })
    expect(sources['server.host']).toBe('file')
    expect(sources['server.port']).toBe('flag')
    expect(sources['server.workers']).toBe('env')
    expect(config.performance).toMatchObject({ cacheSize: 0, enableBatching: false, batchSize: 16 })
    expect(sources['performance.cacheSize']).toBe('env')
    expect(sources['performance.batchSize']).toBe('default')
    expect(config.logging.level).toBe('debug')
  })

  it('accepts every spelling of a boolean, cuda as gpu, byte units and numeric flags', async () => {
    const env = { METRICS_ENABLED: '0', DEVICE: 'CUDA', LOG_LEVEL: 'WARNING', BATCH_TIMEOUT: '2.5' }
    const { config } = await loadConfig({ env, cwd: tmp(), flags: { batching: 'yes', 'max-body-bytes': '1MiB', 'batch-size': 8 } })
    expect(config.metrics.enabled).toBe(false)
    expect(config.model.device).toBe('gpu')
    expect(config.logging.level).toBe('warn')
    expect(config.performance).toMatchObject({ enableBatching: true, batchTimeoutMs: 2.5, batchSize: 8 })
    expect(config.limits.maxBodyBytes).toBe(1024 * 1024)
  })

  it('finds the file from $XRAYOPS_CONFIG, else ./deployment/config.yaml', async () => {
    const dir = tmp()
    const viaEnv = write(dir, 'elsewhere/x.yaml', 'server:\n  port: 8401\n')
    const local = write(dir, 'deployment/config.yaml', 'server:\n  port: 8402\n')
    expect((await loadConfig({ env: { XRAYOPS_CONFIG: viaEnv }, cwd: dir })).config.server.port).toBe(8401)
    const found = await loadConfig({ env: {}, cwd: dir })
    expect(found.file).toBe(local)
    expect(found.config.server.port).toBe(8402)
  })

  it('resolves a relative model.path against the file, and a relative env or flag path against the working directory', async () => {
    const dir = tmp()
    const configPath = write(dir, 'conf/config.yaml', 'model:\n  path: ../models/m.json\n')
    expect((await loadConfig({ configPath, env: {}, cwd: '/' })).config.model.path).toBe(path.join(dir, 'models/m.json'))
    expect((await loadConfig({ configPath, env: { MODEL_PATH: 'a/b.onnx' }, cwd: dir })).config.model.path).toBe(path.join(dir, 'a/b.onnx'))
    expect((await loadConfig({ configPath, env: {}, flags: { model: '/abs/m.json' }, cwd: dir })).config.model.path).toBe('/abs/m.json')
  })

  it('reads the shipped deployment/config.yaml, whose values are the defaults', async () => {
    const root = path.resolve(import.meta.dirname, '../..')
    const { config, file } = await loadConfig({ env: {}, cwd: root })
    expect(file).toBe(path.join(root, 'deployment/config.yaml'))
    expect(config).toEqual(configDefaults())
  })

  it('documents every key in the shipped deployment/config.yaml', async () => {
    const text = readFileSync(path.resolve(import.meta.dirname, '../../deployment/config.yaml'), 'utf8')
    for (const k of KEYS) {
      const [section, field] = k.fileKey.split('.')
      expect(text, k.fileKey).toMatch(new RegExp(`^${section}:$[\\s\\S]*?^  #? ?${field}:`, 'm'))
      if (k.env) expect(text, k.env).toContain(`Env: ${k.env}`)
    }
  })
})
