import type { Context } from 'hono'
import { accepts } from 'hono/accepts'
import { XrayError } from '../errors/index.ts'
import type { Heatmap, HeatmapRequest } from '../heatmap/render.ts'

export const isOn = (q: string | undefined) => q === '1' || q === 'true'

const number = (c: Context, name: string): number | undefined => {
  const v = c.req.query(name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw new XrayError('BAD_REQUEST', `query parameter ${name} must be a number; got ${JSON.stringify(v)}`)
  return n
}

/** `?heatmap=1[&width=N][&opacity=A][&layers=1]` -> the service's heatmap request (ranges are checked there). */
export function heatmapQuery(c: Context): HeatmapRequest | undefined {
  if (!isOn(c.req.query('heatmap'))) return undefined
  const width = number(c, 'width')
  const opacity = number(c, 'opacity')
  return { ...(width !== undefined ? { width } : {}), ...(opacity !== undefined ? { opacity } : {}), layers: isOn(c.req.query('layers')) }
}

/** Whether the client prefers the PNG to JSON (Accept, by quality then order; JSON by default). */
export const prefersPng = (c: Context) => accepts(c, { header: 'Accept', supports: ['application/json', 'image/png'], default: 'application/json' }) === 'image/png'

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')

/** The heatmap as JSON: PNGs as base64. */
export const heatmapJson = (h: Heatmap) => ({
  format: h.format,
  width: h.width,
  height: h.height,
  colormap: h.colormap,
  map: h.map,
  opacity: h.opacity,
  renderer: h.renderer,
  base64: b64(h.png),
  ...(h.layers ? { layers: { image: b64(h.layers.image), heat: b64(h.layers.heat) } } : {}),
})
