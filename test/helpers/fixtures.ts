import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { onTestFinished } from 'vitest'
import { fileURLToPath } from 'node:url'

export const fixture = (rel: string) => fileURLToPath(new URL(`../fixtures/${rel}`, import.meta.url))
export const readFixture = (rel: string) => new Uint8Array(readFileSync(fixture(rel)))

/** The 8 golden rows: `LABEL/name` -> P(pneumonia). */
export const goldenRows = (): [string, number][] =>
  readFileSync(fixture('xray-224/golden.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .map(([p, , s]) => [p.split('/').slice(-2).join('/'), Number(s)])

export const params224 = {
  outWidth: 224,
  outHeight: 224,
  mean: [0.485, 0.456, 0.406] as [number, number, number],
  std: [0.229, 0.224, 0.225] as [number, number, number],
}

/** A deterministic pseudo-random 8-bit gray image. */
export function noiseImage(width: number, height: number, seed = 1) {
  let s = seed >>> 0
  const data = new Uint8Array(width * height)
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    data[i] = s >>> 24
  }
  return { width, height, data, format: 'png' as const, source: { bitDepth: 8 as const, channels: 1 } }
}

/** A temporary folder removed when the current test finishes (call it inside a test). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `xrayops-${prefix}-`))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
