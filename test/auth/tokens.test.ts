/**
 * Token storage and checking at the API the gateway calls: every refusal (missing, malformed,
 * wrong, expired, wrong scope, revoked), on a real tokens file and state database. The stored
 * hash is checked against sha256sum's.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearerToken, createToken, listTokens, revokeToken, TokenVerifier } from '../../src/auth/index.ts'
import { openState, type State } from '../../src/state/db.ts'
import { listEvents } from '../../src/state/events.ts'

let dir: string
let state: State
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-tokens-'))
  state = await openState(dir)
})
afterEach(() => {
  state.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const DAY = 86_400_000
const inDays = (d: number) => new Date(Date.now() + d * DAY)
const sha256sum = (text: string) => execFileSync('sha256sum', { input: text, encoding: 'utf8' }).split(' ')[0]

describe('tokens', () => {
  it('are 256 random bits, shown once, stored as their sha256 in a private file', () => {
    const { token, entry } = createToken(state, { name: 'ci', scope: 'admin', expiresAt: inDays(30), actor: 'alice' })
    expect(token).toMatch(/^xro_[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32)
    const text = fs.readFileSync(state.paths.tokens, 'utf8')
    expect(text).not.toContain(token.slice(4))
    expect(JSON.parse(text).tokens[0]).toEqual({ ...entry, sha256: sha256sum(token) })
    expect(fs.statSync(state.paths.tokens).mode & 0o777).toBe(0o600)
    expect(listTokens(state.paths.tokens)).toEqual([{ name: 'ci', scope: 'admin', createdAt: entry.createdAt, createdBy: 'alice', expiresAt: entry.expiresAt, revokedAt: null, revokedBy: null, status: 'active' }])
    expect(listEvents(state.db).map((e) => [e.actor, e.action, e.subject])).toEqual([['alice', 'token.create', 'ci']])
  })

  it('grant their scope; admin covers predict, predict never covers admin', () => {
    const admin = createToken(state, { name: 'ops', scope: 'admin', expiresAt: null, actor: 'a' }).token
    const predict = createToken(state, { name: 'pacs', scope: 'predict', expiresAt: inDays(1), actor: 'a' }).token
    const v = new TokenVerifier(state.paths.tokens)
    expect(v.verify(admin, 'admin')).toEqual({ ok: true, name: 'ops', scope: 'admin' })
    expect(v.verify(admin, 'predict')).toEqual({ ok: true, name: 'ops', scope: 'admin' })
    expect(v.verify(predict, 'predict')).toEqual({ ok: true, name: 'pacs', scope: 'predict' })
    const refused = v.verify(predict, 'admin')
    expect(refused).toMatchObject({ ok: false, reason: 'scope' })
    expect(!refused.ok && refused.error.toJSON()).toEqual({ error: { code: 'FORBIDDEN', message: 'the bearer token does not have the scope this route needs (admin)', details: { reason: 'scope' } } })
    expect(!refused.ok && refused.error.status).toBe(403)
  })

  it('refuse a missing, malformed, wrong, expired or revoked token with 401', () => {
    const { token } = createToken(state, { name: 'ci', scope: 'admin', expiresAt: inDays(30), actor: 'a' })
    const v = new TokenVerifier(state.paths.tokens)
    const reason = (t: string | undefined, verifier = v) => {
      const r = verifier.verify(t, 'admin')
      if (r.ok) return 'ok'
      expect(r.error.status).toBe(401)
      expect(r.error.code).toBe('UNAUTHORIZED')
      return r.reason
    }
    expect(reason(undefined)).toBe('missing')
    expect(reason('')).toBe('missing')
    for (const t of ['secret', `${token}x`, token.slice(0, -1), `Bearer ${token}`, token.replace('xro_', 'xrb_')]) expect(reason(t), t).toBe('malformed')
    // Right format, right length, not ours; and ours with one character changed.
    expect(reason(`xro_${Buffer.alloc(32, 7).toString('base64url')}`)).toBe('unknown')
    expect(reason(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBe('unknown')
    expect(reason(token)).toBe('ok')
    // 31 days from now, the 30-day token has expired.
    expect(reason(token, new TokenVerifier(state.paths.tokens, () => inDays(31)))).toBe('expired')
    const past = createToken(state, { name: 'old', scope: 'admin', expiresAt: new Date(Date.now() - 1000), actor: 'a' }).token
    expect(reason(past)).toBe('expired')
    // Revoked while the verifier runs: the next check sees it, no restart.
    revokeToken(state, 'ci', 'bob', 'leaked in a log')
    expect(reason(token)).toBe('revoked')
    expect(listEvents(state.db, { prefix: 'token.revoke' })).toMatchObject([{ actor: 'bob', subject: 'ci', reason: 'leaked in a log' }])
  })

  it('have unique names among live tokens; a revoked name can be reused, its old token stays refused', () => {
    const first = createToken(state, { name: 'ci', scope: 'admin', expiresAt: null, actor: 'a' }).token
    expect(() => createToken(state, { name: 'ci', scope: 'predict', expiresAt: null, actor: 'a' })).toThrow(expect.objectContaining({ code: 'TOKEN_EXISTS' }))
    revokeToken(state, 'ci', 'a')
    expect(() => revokeToken(state, 'ci', 'a')).toThrow(expect.objectContaining({ code: 'TOKEN_NOT_FOUND' }))
    const second = createToken(state, { name: 'ci', scope: 'predict', expiresAt: null, actor: 'a' }).token
    const v = new TokenVerifier(state.paths.tokens)
    expect(v.verify(first, 'predict')).toMatchObject({ ok: false, reason: 'revoked' })
    expect(v.verify(second, 'predict')).toMatchObject({ ok: true, name: 'ci' })
    expect(listTokens(state.paths.tokens).map((t) => [t.name, t.scope, t.status])).toEqual([['ci', 'admin', 'revoked'], ['ci', 'predict', 'active']])
    expect(() => createToken(state, { name: '../x', scope: 'admin', expiresAt: null, actor: 'a' })).toThrow(expect.objectContaining({ code: 'INVALID_NAME' }))
  })

  it('fail closed: no tokens file refuses everything, a damaged one is an error, never a pass', () => {
    const v = new TokenVerifier(path.join(dir, 'tokens.json'))
    expect(v.verify(`xro_${Buffer.alloc(32).toString('base64url')}`, 'predict')).toMatchObject({ ok: false, reason: 'unknown' })
    fs.writeFileSync(state.paths.tokens, '{"format": 1, "tokens": [')
    expect(() => v.verify(`xro_${Buffer.alloc(32).toString('base64url')}`, 'predict')).toThrow(expect.objectContaining({ code: 'STATE_ERROR' }))
  })

  it('are read from an Authorization header', () => {
    expect(bearerToken('Bearer xro_abc')).toBe('xro_abc')
    expect(bearerToken('bearer   xro_abc ')).toBe('xro_abc')
    for (const h of [undefined, null, '', 'Basic dXNlcjpwdw==', 'Bearer', 'Bearer a b', 'xro_abc']) expect(bearerToken(h), String(h)).toBeUndefined()
  })
})
