/**
 * Creating, listing and revoking tokens. A token is `xro_` + 256 random bits (base64url); the
 * file keeps its sha256. A slow hash (scrypt, bcrypt) protects guessable passwords; a 256-bit
 * random secret cannot be guessed whatever the hash, and sha256 keeps each check at
 * microseconds, so checking a token costs the gateway nothing an attacker could multiply.
 * Changes run under the state database's write lock (which the OS releases if the process dies)
 * and each is an event in the history.
 */
import { createHash, randomBytes } from 'node:crypto'
import { XrayError } from '../errors/index.ts'
import type { State } from '../state/db.ts'
import { appendEvent } from '../state/events.ts'
import { readTokenFile, writeTokenFile, type Scope, type TokenEntry } from './token-file.ts'

export const TOKEN_PREFIX = 'xro_'
export const TOKEN_PATTERN = /^xro_[A-Za-z0-9_-]{43}$/

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex')

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export type TokenStatus = 'active' | 'expired' | 'revoked'
export type TokenInfo = Omit<TokenEntry, 'sha256'> & { status: TokenStatus }

export const statusOf = (t: Pick<TokenEntry, 'revokedAt' | 'expiresAt'>, now = new Date()): TokenStatus =>
  t.revokedAt ? 'revoked' : t.expiresAt !== null && Date.parse(t.expiresAt) <= now.getTime() ? 'expired' : 'active'

/** Runs `fn` under the database's write lock. */
const locked = <T>(state: State, fn: () => T): T => state.db.transaction(fn)

export function createToken(state: State, opts: { name: string; scope: Scope; expiresAt: Date | null; actor: string }): { token: string; entry: TokenEntry } {
  if (!NAME.test(opts.name)) throw new XrayError('INVALID_NAME', `token name ${JSON.stringify(opts.name)} is not allowed: letters, digits, '.', '_', '-', at most 64`)
  return locked(state, () => {
    const data = readTokenFile(state.paths.tokens)
    const now = new Date()
    const clash = data.tokens.find((t) => t.name === opts.name && statusOf(t, now) === 'active')
    if (clash) throw new XrayError('TOKEN_EXISTS', `a token named ${opts.name} exists (created ${clash.createdAt}); revoke it first or choose another name`)
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url')
    const entry: TokenEntry = {
      name: opts.name,
      scope: opts.scope,
      sha256: hashToken(token),
      createdAt: now.toISOString(),
      createdBy: opts.actor,
      expiresAt: opts.expiresAt?.toISOString() ?? null,
      revokedAt: null,
      revokedBy: null,
    }
    writeTokenFile(state.paths.tokens, { format: 1, tokens: [...data.tokens, entry] })
    appendEvent(state.db, { actor: opts.actor, action: 'token.create', subject: opts.name, details: { scope: opts.scope, expiresAt: entry.expiresAt } }, now)
    return { token, entry }
  })
}

export function listTokens(file: string, now = new Date()): TokenInfo[] {
  return readTokenFile(file).tokens.map(({ sha256: _secretHash, ...t }) => ({ ...t, status: statusOf(t, now) }))
}

/** Revokes the token named `name` that is not yet revoked. */
export function revokeToken(state: State, name: string, actor: string, reason?: string): TokenInfo {
  return locked(state, () => {
    const data = readTokenFile(state.paths.tokens)
    const entry = data.tokens.find((t) => t.name === name && !t.revokedAt)
    if (!entry) throw new XrayError('TOKEN_NOT_FOUND', `no unrevoked token is named ${name} (xrayops token list shows them)`)
    const now = new Date()
    entry.revokedAt = now.toISOString()
    entry.revokedBy = actor
    writeTokenFile(state.paths.tokens, data)
    appendEvent(state.db, { actor, action: 'token.revoke', subject: name, reason: reason ?? null, details: { scope: entry.scope } }, now)
    const { sha256: _secretHash, ...info } = entry
    return { ...info, status: 'revoked' }
  })
}
