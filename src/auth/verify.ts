/**
 * Checking a presented token for a scope: the gateway calls `verify` on every admin request (and
 * on predictions when they require the `predict` scope). The file is read again whenever it
 * changes (every write renames a new file into place). The token's sha256 is compared with every
 * entry's in constant time, without stopping at a match.
 */
import fs from 'node:fs'
import { timingSafeEqual } from 'node:crypto'
import { XrayError } from '../errors/index.ts'
import { readTokenFile, type Scope, type TokenEntry } from './token-file.ts'
import { hashToken, statusOf, TOKEN_PATTERN } from './tokens.ts'

export type Refusal = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired' | 'scope'

export type Verdict = { ok: true; name: string; scope: Scope } | { ok: false; reason: Refusal; error: XrayError }

const messages: Record<Refusal, string> = {
  missing: 'this route needs a bearer token (Authorization: Bearer <token>)',
  malformed: 'the bearer token is not an xrayops token',
  unknown: 'the bearer token is not valid',
  revoked: 'the bearer token has been revoked',
  expired: 'the bearer token has expired',
  scope: 'the bearer token does not have the scope this route needs',
}

const refuse = (reason: Refusal, scope: Scope): Verdict => ({
  ok: false,
  reason,
  error: new XrayError(reason === 'scope' ? 'FORBIDDEN' : 'UNAUTHORIZED', reason === 'scope' ? `${messages.scope} (${scope})` : messages[reason], { details: { reason } }),
})

/** `admin` covers everything; `predict` covers predictions only. */
export const grants = (held: Scope, needed: Scope) => held === 'admin' || held === needed

/** The token of an `Authorization: Bearer <token>` header value, or undefined. */
export const bearerToken = (header: string | null | undefined): string | undefined => /^Bearer +(\S+)\s*$/i.exec(header ?? '')?.[1]

export class TokenVerifier {
  private entries: { entry: TokenEntry; digest: Buffer }[] = []
  private seen = ''

  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private refresh(): void {
    let key = 'absent'
    try {
      const st = fs.statSync(this.file)
      key = `${st.ino}:${st.size}:${st.mtimeMs}`
    } catch {}
    if (key === this.seen) return
    const data = key === 'absent' ? { tokens: [] } : readTokenFile(this.file)
    this.entries = data.tokens.filter((t) => /^[0-9a-f]{64}$/.test(t.sha256)).map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }))
    this.seen = key
  }

  verify(token: string | null | undefined, scope: Scope): Verdict {
    if (!token) return refuse('missing', scope)
    if (!TOKEN_PATTERN.test(token)) return refuse('malformed', scope)
    this.refresh()
    const digest = Buffer.from(hashToken(token), 'hex')
    let match: TokenEntry | undefined
    for (const e of this.entries) if (timingSafeEqual(e.digest, digest)) match = e.entry
    if (!match) return refuse('unknown', scope)
    const status = statusOf(match, this.now())
    if (status !== 'active') return refuse(status, scope)
    if (!grants(match.scope, scope)) return refuse('scope', scope)
    return { ok: true, name: match.name, scope: match.scope }
  }
}
