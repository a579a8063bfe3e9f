import type { MiddlewareHandler } from 'hono'
import type { Scope } from './token-file.ts'
import { bearerToken, type TokenVerifier } from './verify.ts'

/** What `requireScope` leaves for the routes: the name of the token that was accepted (for the history). */
export type AuthEnv = { Variables: { requestId: string; tokenName?: string } }

/**
 * Lets a request through only with `Authorization: Bearer <token>` of `scope` (admin covers
 * every scope). Otherwise answers 401 (missing, malformed, unknown, revoked or expired token) or
 * 403 (another scope) with a JSON body naming the problem, and a WWW-Authenticate header (RFC 6750).
 */
export const requireScope = (verifier: TokenVerifier, scope: Scope): MiddlewareHandler<AuthEnv> =>
  async function requireScope(c, next) {
    const verdict = verifier.verify(bearerToken(c.req.header('authorization')), scope)
    if (!verdict.ok) {
      const error = verdict.reason === 'missing' ? '' : `, error="${verdict.reason === 'scope' ? 'insufficient_scope' : 'invalid_token'}"`
      c.header('WWW-Authenticate', `Bearer realm="xrayops", scope="${scope}"${error}`)
      return c.json({ ...verdict.error.toJSON(), request_id: c.get('requestId') }, verdict.error.status as 401)
    }
    c.set('tokenName', verdict.name)
    await next()
  }
