import type { Context } from 'hono'

/** The remote address of the request's connection (what the audit records as `client`); none in-process. */
export function clientOf(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } }; server?: { incoming?: { socket?: { remoteAddress?: string } } } } | undefined
  return (env?.server ?? env)?.incoming?.socket?.remoteAddress
}
