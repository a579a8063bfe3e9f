import { Hono, type Context } from 'hono'
import { XrayError } from '../../errors/index.ts'
import { webFiles } from '../web-files.ts'

/** The viewer loads nothing from elsewhere: its own files, the API, and the PNGs it is sent. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

function serve(c: Context, name: string) {
  const f = webFiles().get(name)
  if (!f) throw new XrayError('NOT_FOUND', `no viewer file ${JSON.stringify(name)}`)
  // Revalidated on every use (cheap: 304 by ETag), so an upgraded server never serves stale files.
  c.header('Cache-Control', 'no-cache')
  c.header('ETag', f.etag)
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Referrer-Policy', 'no-referrer')
  if (f.type.startsWith('text/html')) c.header('Content-Security-Policy', CSP)
  if (c.req.header('if-none-match')?.split(/\s*,\s*/).includes(f.etag)) return c.body(null, 304)
  c.header('Content-Type', f.type)
  return c.body(f.body as Uint8Array<ArrayBuffer>)
}

/**
 * GET /ui/: the viewer (src/web), embedded in the executable. `/ui` redirects to `/ui/` with a
 * relative Location, so it also works under a gateway's path prefix; the page uses relative URLs only.
 */
export function uiRoutes() {
  const app = new Hono()
  app.get('/ui', (c) => c.redirect('ui/', 308))
  app.get('/ui/', (c) => serve(c, 'index.html'))
  app.get('/ui/:file', (c) => serve(c, c.req.param('file')))
  return app
}
