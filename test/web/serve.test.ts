import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startApp } from '../helpers/server.ts'

const webDir = fileURLToPath(new URL('../../src/web/', import.meta.url))

describe('the /ui viewer files', () => {
  let s: ReturnType<typeof startApp>
  beforeAll(() => {
    s = startApp({}, { load: false }) // the viewer is served while the model loads
  })
  afterAll(() => s?.close())
  const get = (path: string, headers: Record<string, string> = {}) => s.fetch(`${s.url}${path}`, { headers, redirect: 'manual' })

  it('/ui redirects to /ui/ with a relative Location (works under a path prefix)', async () => {
    const res = await get('/ui')
    expect(res.status).toBe(308)
    expect(res.headers.get('location')).toBe('ui/')
  })

  it.each([
    ['/ui/', 'text/html; charset=utf-8', 'index.html'],
    ['/ui/viewer.js', 'text/javascript; charset=utf-8', 'viewer.js'],
    ['/ui/viewer.css', 'text/css; charset=utf-8', 'viewer.css'],
  ])('%s: %s, revalidated by ETag (304)', async (path, type, file) => {
    const res = await get(path)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(type)
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await res.text()).toBe(fs.readFileSync(webDir + file, 'utf8'))
    const etag = res.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/)
    const again = await get(path, { 'if-none-match': etag })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
  })

  it('the page may load nothing from elsewhere (Content-Security-Policy)', async () => {
    const csp = (await get('/ui/')).headers.get('content-security-policy')!
    expect(csp).toMatch(/default-src 'none'/)
    expect(csp).toMatch(/connect-src 'self'/)
  })

  it('unknown files are a JSON 404; paths cannot leave the folder', async () => {
    const res = await get('/ui/nope.js')
    expect(res.status).toBe(404)
    expect((await json(res)).error.code).toBe('NOT_FOUND')
    expect((await get('/ui/..%2Fpackage.json')).status).toBe(404)
    expect((await get('/ui/%2E%2E/package.json')).status).toBe(404)
  })

  it('every file uses relative URLs only and nothing from the network (gateway prefixes, offline use)', () => {
    for (const name of fs.readdirSync(webDir)) {
      const text = fs.readFileSync(webDir + name, 'utf8')
      expect(text, name).not.toMatch(/https?:\/\//)
      expect(text, name).not.toMatch(/(?:href|src|action)=["']\//)
      expect(text, name).not.toMatch(/(?:fetch|URL)\(\s*["'`]\//)
      expect(text, name).not.toMatch(/@import|url\(/)
    }
  })
})
