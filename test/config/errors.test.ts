import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.ts'
import { configError, tmp, write } from './helpers.ts'

const fromFile = (text: string) => {
  const dir = tmp()
  const configPath = write(dir, 'config.yaml', text)
  return { configPath, run: () => loadConfig({ configPath, env: {}, cwd: dir }) }
}

describe('config errors name the key, the value, its origin and what is allowed', () => {
  it('a bad port from the environment', async () => {
    const e = await configError(() => loadConfig({ env: { PORT: '80a' }, cwd: tmp() }))
    expect(e.message).toBe('PORT="80a" (env) is not valid: expected an integer 1-65535')
    expect(e.details).toEqual({ key: 'server.port', name: 'PORT', value: '80a', source: 'env', allowed: 'an integer 1-65535' })
  })

  it('a port out of range from a flag, and from the file with its line', async () => {
    expect((await configError(() => loadConfig({ env: {}, cwd: tmp(), flags: { port: '70000' } }))).message).toBe(
      '--port="70000" (flag) is not valid: expected an integer 1-65535',
    )
    const { configPath, run } = fromFile('server:\n  host: localhost\n  port: 0\n')
    const e = await configError(run)
    expect(e.message).toBe(`server.port=0 (file ${configPath}:3) is not valid: expected an integer 1-65535`)
    expect(e.details).toMatchObject({ key: 'server.port', value: 0, source: 'file', file: configPath, line: 3 })
  })

  it('a bad boolean', async () => {
    const e = await configError(() => loadConfig({ env: { METRICS_ENABLED: 'maybe' }, cwd: tmp() }))
    expect(e.message).toBe('METRICS_ENABLED="maybe" (env) is not valid: expected true/false, 1/0 or yes/no')
    const { run } = fromFile('performance:\n  enable_batching: sometimes\n')
    expect((await configError(run)).message).toMatch(/^performance\.enable_batching="sometimes" \(file .*:2\) is not valid: expected true\/false/)
  })

  it('a bad device', async () => {
    const e = await configError(() => loadConfig({ env: {}, cwd: tmp(), flags: { device: 'tpu' } }))
    expect(e.message).toBe('--device="tpu" (flag) is not valid: expected auto, gpu (or cuda) or cpu')
    expect(e.details).toMatchObject({ key: 'model.device', source: 'flag' })
  })

  it('a negative cache size', async () => {
    const e = await configError(() => loadConfig({ env: { CACHE_SIZE: '-1' }, cwd: tmp() }))
    expect(e.message).toBe('CACHE_SIZE="-1" (env) is not valid: expected an integer >= 0')
  })

  it('an unknown key, with the nearest known one', async () => {
    const { run } = fromFile('server:\n  prot: 8000\n')
    const e = await configError(run)
    expect(e.message).toMatch(/^server\.prot=8000 \(file .*config\.yaml:2\) is not a known key: expected .*did you mean server\.port\?/)
    expect(e.details).toMatchObject({ key: 'server.prot', source: 'file', line: 2 })
    expect((await configError(fromFile('tracing:\n  enabled: true\n').run)).message).toMatch(/tracing\.enabled=true .* is not a known key/)
    expect((await configError(fromFile('server: 8000\n').run)).message).toMatch(/server=8000 .* expected a mapping of host, port, workers/)
  })

  it('invalid YAML, with its line', async () => {
    const { configPath, run } = fromFile('server:\n  port: 8000\n\tworkers: 2\n')
    const e = await configError(run)
    expect(e.message).toMatch(new RegExp(`^${configPath.replaceAll('.', '\\.')}:3:\\d+ is not valid YAML: Tabs are not allowed as indentation$`))
    expect(e.details).toMatchObject({ source: 'file', file: configPath, line: 3 })
    expect((await configError(fromFile('server:\n  port: 1\n  port: 2\n').run)).message).toMatch(/:3:\d+ is not valid YAML: .*unique/i)
  })

  it('a missing explicit file, from --config or $XRAYOPS_CONFIG', async () => {
    const e = await configError(() => loadConfig({ configPath: 'nope.yaml', env: {}, cwd: tmp() }))
    expect(e.message).toBe('--config="nope.yaml" (flag) does not exist: expected an existing YAML config file')
    expect(e.details).toMatchObject({ key: 'config', value: 'nope.yaml', source: 'flag' })
    const viaEnv = await configError(() => loadConfig({ env: { XRAYOPS_CONFIG: '/nope/x.yaml' }, cwd: tmp() }))
    expect(viaEnv.message).toMatch(/^XRAYOPS_CONFIG="\/nope\/x\.yaml" \(env\) does not exist/)
  })

  it('values of the wrong shape: a list for a number, a model path that is not .json or .onnx', async () => {
    expect((await configError(fromFile('limits:\n  max_pixels: [1, 2]\n').run)).message).toMatch(/limits\.max_pixels=\[1,2\] .* expected an integer >= 1/)
    expect((await configError(() => loadConfig({ env: { MODEL_PATH: 'model.pt' }, cwd: tmp() }))).message).toMatch(/MODEL_PATH="model\.pt" \(env\) is not valid: .*\(\.json\) or \.onnx/)
  })
})
