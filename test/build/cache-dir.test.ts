import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cacheBase, mountOptions, unusableReason } from '../../src/runtime/cache-dir.ts'

const mountinfo = [
  '22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '23 22 0:22 / /tmp rw,nosuid,nodev,noexec,relatime shared:2 - tmpfs tmpfs rw',
  '24 22 0:23 / /home/a\\040b rw,relatime shared:3 - ext4 /dev/sdb1 rw',
  '25 23 0:24 / /tmp/exec rw,relatime shared:4 - tmpfs tmpfs rw',
].join('\n')

describe('mountOptions', () => {
  it('finds the innermost mount holding a folder', () => {
    expect(mountOptions('/tmp/x', mountinfo)).toContain('noexec')
    expect(mountOptions('/tmp/exec/y', mountinfo)).not.toContain('noexec')
    expect(mountOptions('/tmpfoo', mountinfo)).not.toContain('noexec')
    expect(mountOptions('/home/a b/.cache', mountinfo)).toEqual(['rw', 'relatime'])
    expect(mountOptions('/x', null)).toBeNull()
  })
})

describe('cacheBase', () => {
  let tmp: string
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-cache-'))
  })
  afterEach(() => {
    vi.unstubAllEnvs()
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  it('prefers $XRAYOPS_CACHE_DIR, then $XDG_CACHE_HOME/xrayops, then ~/.cache/xrayops', () => {
    vi.stubEnv('XRAYOPS_CACHE_DIR', path.join(tmp, 'explicit'))
    vi.stubEnv('XDG_CACHE_HOME', path.join(tmp, 'xdg'))
    vi.stubEnv('HOME', path.join(tmp, 'home'))
    expect(cacheBase()).toBe(path.join(tmp, 'explicit'))
    vi.stubEnv('XRAYOPS_CACHE_DIR', undefined)
    expect(cacheBase()).toBe(path.join(tmp, 'xdg', 'xrayops'))
    vi.stubEnv('XDG_CACHE_HOME', undefined)
    expect(cacheBase()).toBe(path.join(tmp, 'home', '.cache', 'xrayops'))
  })

  it('falls back past folders it cannot create', () => {
    fs.writeFileSync(path.join(tmp, 'file'), '')
    vi.stubEnv('XDG_CACHE_HOME', path.join(tmp, 'file')) // a file: no folder can be made below it
    vi.stubEnv('HOME', path.join(tmp, 'file', 'home'))
    vi.stubEnv('XRAYOPS_CACHE_DIR', undefined)
    vi.stubEnv('TMPDIR', tmp)
    expect(cacheBase()).toBe(path.join(tmp, `xrayops-${process.getuid!()}`))
    expect(fs.statSync(cacheBase()).mode & 0o777).toBe(0o700)
  })

  it('fails with the reasons when $XRAYOPS_CACHE_DIR is unusable', () => {
    fs.writeFileSync(path.join(tmp, 'file'), '')
    vi.stubEnv('XRAYOPS_CACHE_DIR', path.join(tmp, 'file', 'sub'))
    expect(() => cacheBase()).toThrow(/XRAYOPS_CACHE_DIR.*file\/sub/)
    expect(unusableReason(path.join(tmp, 'ok'))).toBeNull()
  })
})
