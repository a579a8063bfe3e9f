import { describe, expect, it } from 'vitest'
import { checkName, compareVersions, parseVersion } from '../../src/registry/names.ts'

describe('versions', () => {
  it('accept Semantic Versioning 2.0.0, with or without a leading v, stored without it', () => {
    expect(parseVersion('2.0.0').text).toBe('2.0.0')
    expect(parseVersion('v2.0.0').text).toBe('2.0.0')
    expect(parseVersion('1.9.0-rc.1+build.5')).toMatchObject({ major: 1, minor: 9, patch: 0, prerelease: ['rc', '1'], build: 'build.5' })
  })

  it.each(['2.0', '2', 'v', '', '01.0.0', '1.02.0', '1.0.0-', '1.0.0-01', 'V1.0.0', '1.0.0 beta', 'vv1.0.0', '1.0.0/../x'])('refuse %j', (v) => {
    expect(() => parseVersion(v)).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }))
  })

  it('sort by SemVer precedence (semver.org §11)', () => {
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.9.0', '1.10.0', '2.0.0']
    const shuffled = [...order].reverse().sort((a, b) => compareVersions(parseVersion(a), parseVersion(b)))
    expect(shuffled).toEqual(order)
    expect(compareVersions(parseVersion('1.0.0+a'), parseVersion('1.0.0+b'))).toBe(0)
  })
})

describe('model names', () => {
  it('accept the runbook names', () => {
    for (const n of ['chest_xray_efficientnet_b4', 'pneumonia-efficientnet_b0', 'model.v2', 'A1']) expect(checkName(n)).toBe(n)
  })

  it.each(['../evil', '..', 'a/b', 'a\\b', '/abs', '.hidden', '-flag', 'a..b', 'with space', '', 'x'.repeat(101), 'naïve', 'a\0b', 'a:b'])('refuse %j, which could escape the store', (n) => {
    expect(() => checkName(n)).toThrow(expect.objectContaining({ code: 'INVALID_NAME' }))
  })
})
