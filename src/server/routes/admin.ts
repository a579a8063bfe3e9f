import { Hono } from 'hono'
import { requireScope, TokenVerifier } from '../../auth/index.ts'
import { statePaths } from '../../state/dir.ts'
import { resolveStateDir } from '../../runtime/state-dir.ts'
import type { AppEnv, ServerContext } from '../context.ts'

/**
 * The model server's own admin routes, behind an `admin` bearer token from the state directory's
 * tokens file (the gateway's admin API forwards its caller's token here). Every path under
 * /admin needs the token, known route or not.
 */
export function adminRoutes(ctx: ServerContext) {
  const app = new Hono<AppEnv>()
  let verifier: TokenVerifier | undefined
  const tokens = () => (verifier ??= new TokenVerifier(statePaths(resolveStateDir({ dir: ctx.config.state.dir }).dir).tokens))
  app.use('/admin/*', (c, next) => requireScope(tokens(), 'admin')(c, next))
  app.post('/admin/cache/clear', (c) => {
    const service = ctx.readyService()
    const cleared = service.clearCache()
    return c.json({ cleared, model: { name: service.model.manifest.name, version: service.model.manifest.version } })
  })
  return app
}
