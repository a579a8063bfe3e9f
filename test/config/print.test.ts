import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { KEYS } from '../../src/config/keys.ts'
import { tmp, write } from './helpers.ts'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../../bin/xrayops.mjs', import.meta.url))
/** The test's environment without any setting variable, so only what a test passes counts. */
const baseEnv = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' }
  for (const name of [...KEYS.map((k) => k.env), 'XRAYOPS_CONFIG']) if (name) delete env[name]
  return env
}
const xrayops = (args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) =>
  run(process.execPath, [bin, ...args], { env: { ...baseEnv(), ...opts.env }, cwd: opts.cwd ?? tmp() }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )

describe('xrayops config print', () => {
  it('prints every default as JSON when there is no file', async () => {
    const r = await xrayops(['config', 'print', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.file).toBeNull()
    expect(out.config.server).toEqual({ host: '0.0.0.0', port: 8000, workers: 1, shutdownTimeoutMs: 30_000, maxConnections: 256, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 })
    expect(Object.keys(out.values)).toEqual(KEYS.map((k) => k.key))
    expect(out.values['server.port']).toEqual({ fileKey: 'server.port', env: 'PORT', value: 8000, source: 'default', from: 'default' })
  })

  it('says which file, variable or flag each value came from', async () => {
    const dir = tmp()
    const file = write(dir, 'my.yaml', 'server:\n  host: 127.0.0.1\n  port: 8100\nperformance:\n  cache_size: 5\n')
    const r = await xrayops(['config', 'print', '--json', '--config', file, '--cache-size', '7'], { env: { PORT: '8200' } })
    expect(r.code, r.stderr).toBe(0)
    const { values, file: used } = JSON.parse(r.stdout)
    expect(used).toBe(file)
    expect(values['server.host']).toMatchObject({ value: '127.0.0.1', source: 'file', from: `file ${file}` })
    expect(values['server.port']).toMatchObject({ value: 8200, source: 'env', from: 'env PORT' })
    expect(values['performance.cacheSize']).toMatchObject({ value: 7, source: 'flag', from: 'flag --cache-size' })
    expect(values['performance.batchSize']).toMatchObject({ value: 16, source: 'default' })

    const text = await xrayops(['config', 'print', '--config', file], { env: { PORT: '8200' } })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain(`config file: ${file}`)
    expect(text.stdout).toMatch(/server\.port\s+8200\s+env PORT/)
    expect(text.stdout).toMatch(/performance\.cache_size\s+5\s+file /)
  })

  it('exits 1 with the error message on an invalid value, file or path', async () => {
    const bad = await xrayops(['config', 'print', '--json'], { env: { PORT: '80a' } })
    expect(bad.code).toBe(1)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toContain('CONFIG_INVALID: PORT="80a" (env) is not valid: expected an integer 1-65535')
    const dir = tmp()
    const typo = await xrayops(['config', 'print', '--config', write(dir, 'c.yaml', 'metrics:\n  enabeld: true\n')])
    expect(typo.code).toBe(1)
    expect(typo.stderr).toMatch(/metrics\.enabeld=true .* is not a known key: .*did you mean metrics\.enabled\?/)
    const missing = await xrayops(['config', 'print', '--config', 'missing.yaml'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('--config="missing.yaml" (flag) does not exist')
  })
})
