import os from 'node:os'
import path from 'node:path'
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ensureStateDir, resolveStateDir, statePaths } from '../../src/state/dir.ts'

describe('the state directory', () => {
  it('comes from the state.dir setting (flag, XRAYOPS_STATE_DIR, file), then systemd, then XDG_STATE_HOME, then ~/.local/state', () => {
    const env = { STATE_DIRECTORY: '/var/lib/xrayops', XDG_STATE_HOME: '/home/u/.state' }
    expect(resolveStateDir({ dir: '/srv/x', from: 'flag --state-dir' }, env)).toEqual({ dir: '/srv/x', source: 'flag --state-dir' })
    expect(resolveStateDir({ dir: undefined }, env)).toEqual({ dir: '/var/lib/xrayops', source: 'STATE_DIRECTORY' })
    // systemd lists every StateDirectory= of the unit, colon-separated.
    expect(resolveStateDir(undefined, { STATE_DIRECTORY: '/var/lib/a:/var/lib/b' }).dir).toBe('/var/lib/a')
    expect(resolveStateDir(undefined, { XDG_STATE_HOME: '/home/u/.state' })).toEqual({ dir: '/home/u/.state/xrayops', source: 'XDG_STATE_HOME' })
    // A relative XDG_STATE_HOME is invalid by the XDG spec and ignored.
    expect(resolveStateDir(undefined, { XDG_STATE_HOME: 'relative' })).toEqual({ dir: path.join(os.homedir(), '.local/state/xrayops'), source: 'default' })
  })

  it('is created private (0700) and refused clearly when it cannot be written', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-state-'))
    try {
      const dir = ensureStateDir({ dir: path.join(base, 'a', 'b'), source: '--state-dir' })
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
      expect(statePaths(dir)).toEqual({ dir, db: path.join(dir, 'xrayops.db'), models: path.join(dir, 'models'), tokens: path.join(dir, 'tokens.json') })
      fs.writeFileSync(path.join(base, 'file'), '')
      expect(() => ensureStateDir({ dir: path.join(base, 'file', 'x'), source: 'XRAYOPS_STATE_DIR' })).toThrow(/state directory .*file\/x \(from XRAYOPS_STATE_DIR\) cannot be used/)
    } finally {
      fs.rmSync(base, { recursive: true, force: true })
    }
  })
})
