/** Requests of monitors, not of clients: /health, /v2/health/*, /metrics. */
export const isProbe = (method: string, path: string) => method === 'GET' && (path === '/health' || path === '/metrics' || path.startsWith('/v2/health/'))
