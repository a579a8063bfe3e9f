/** `xrayops token create|list|revoke` on a real state directory; the API check sees the result. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TokenVerifier } from '../../src/auth/index.ts'
import { xrayops } from '../helpers/cli.ts'

let dir: string
let token: string
const cli = (...args: string[]) => xrayops([...args, '--state-dir', dir])

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-token-cli-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('xrayops token', () => {
  it('create: prints the secret alone on stdout, once; the rest on stderr', async () => {
    const r = await cli('token', 'create', '--name', 'ci', '--scope', 'admin', '--expires', '30d')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^xro_[A-Za-z0-9_-]{43}\n$/)
    token = r.stdout.trim()
    expect(r.stderr).toMatch(/token ci: scope admin, expires 20\d\d-.*It is shown only now/)
    expect(new TokenVerifier(path.join(dir, 'tokens.json')).verify(token, 'admin')).toEqual({ ok: true, name: 'ci', scope: 'admin' })
  })

  it('list: names, scopes and status, never the secret or its hash', async () => {
    const text = (await cli('token', 'list')).stdout
    const json = (await cli('token', 'list', '--json')).stdout
    expect(text).toMatch(/^ci\s+admin\s+active\s/m)
    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8')).tokens[0].sha256
    for (const out of [text, json]) {
      expect(out).not.toContain(token.slice(4))
      expect(out).not.toContain(stored)
    }
    expect(Object.keys(JSON.parse(json)[0]).sort()).toEqual(['createdAt', 'createdBy', 'expiresAt', 'name', 'revokedAt', 'revokedBy', 'scope', 'status'])
  })

  it('create: refuses a taken name, an unknown scope and a bad lifetime', async () => {
    const taken = await cli('token', 'create', '--name', 'ci', '--scope', 'predict')
    expect(taken.code).toBe(1)
    expect(taken.stderr).toMatch(/TOKEN_EXISTS: a token named ci exists/)
    const scope = await cli('token', 'create', '--name', 'x', '--scope', 'root')
    expect(scope.code).toBe(1)
    expect(scope.stderr).toMatch(/--scope root must be one of admin, predict/)
    const life = await cli('token', 'create', '--name', 'x', '--scope', 'predict', '--expires', 'soon')
    expect(life.code).toBe(1)
    expect(life.stderr).toMatch(/--expires "soon" is not a duration/)
    expect((await cli('token', 'list', '--json')).stdout).not.toMatch(/"x"/)
  })

  it('revoke: asks for --yes off a terminal, then the token is refused', async () => {
    const asked = await cli('token', 'revoke', '--name', 'ci')
    expect(asked.code).toBe(1)
    expect(asked.stderr).toMatch(/Revoke token ci\? Not on a terminal: pass --yes to confirm/)
    const v = new TokenVerifier(path.join(dir, 'tokens.json'))
    expect(v.verify(token, 'admin').ok).toBe(true)
    const r = await cli('token', 'revoke', '--name', 'ci', '--yes', '--reason', 'rotated')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('revoked token ci (admin)\n')
    expect(v.verify(token, 'admin')).toMatchObject({ ok: false, reason: 'revoked' })
    expect((await cli('token', 'list')).stdout).toMatch(/^ci\s+admin\s+revoked\s/m)
    const again = await cli('token', 'revoke', '--name', 'ci', '--yes')
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/TOKEN_NOT_FOUND: no unrevoked token is named ci/)
  })

  it('every change is in the history', async () => {
    const events = JSON.parse((await cli('registry', 'history', '--all', '--json')).stdout)
    expect(events.map((e: { action: string; subject: string; reason: string | null }) => [e.action, e.subject, e.reason])).toEqual([
      ['token.revoke', 'ci', 'rotated'],
      ['token.create', 'ci', null],
    ])
  })
})
