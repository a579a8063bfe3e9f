/**
 * The gateway never loads the model side: no file it reaches through its imports (static or
 * dynamic, type imports included) is under src/inference or src/gpu; and a running gateway has
 * none of the native libraries of the engines, the GPU or the image decoder mapped (onnxruntime,
 * Dawn, sharp/libvips), only SQLite's.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { freePort, spawnXrayops } from '../helpers/process.ts'

const src = path.resolve(import.meta.dirname, '../../src')
const SPEC = /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm

function closure(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const todo = [...entries]
  while (todo.length) {
    const file = todo.pop()!
    if (files.has(file)) continue
    files.add(file)
    for (const m of fs.readFileSync(file, 'utf8').matchAll(SPEC)) {
      const spec = m[1] ?? m[2] ?? m[3]
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec)
        if (target.endsWith('.ts')) todo.push(target)
      } else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0])
    }
  }
  return { files, packages }
}

it('reaches nothing under src/inference or src/gpu, and no engine, GPU or decoder package', () => {
  const gateway = fs.readdirSync(path.join(src, 'gateway'), { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => path.join(src, 'gateway', f))
  const { files, packages } = closure([...gateway, path.join(src, 'cli/commands/gateway.ts')])
  const rel = [...files].map((f) => path.relative(src, f))
  expect(rel.length).toBeGreaterThan(gateway.length) // it does follow imports out of src/gateway
  expect(rel).toContain('auth/verify.ts')
  expect(rel.filter((f) => f.startsWith('inference/') || f.startsWith('gpu/'))).toEqual([])
  // Named only by src/runtime/native.ts's lazy loaders, which the gateway never calls (checked below).
  expect([...packages].filter((p) => /onnxruntime|webgpu|sharp/.test(p)).sort()).toEqual(['onnxruntime-node', 'sharp', 'webgpu'])
  expect([...files].filter((f) => /import\(\s*'(onnxruntime|webgpu|sharp)/.test(fs.readFileSync(f, 'utf8'))).map((f) => path.relative(src, f))).toEqual(['runtime/native.ts'])
})

it('a running gateway has no engine, GPU or decoder library loaded', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-gw-maps-'))
  const port = await freePort()
  const g = spawnXrayops(['gateway', '--host', '127.0.0.1', '--port', String(port), '--state-dir', dir, '--log-level', 'warn'])
  try {
    const end = Date.now() + 60_000
    while (!(await fetch(`http://127.0.0.1:${port}/health`).then(() => true, () => false))) {
      if (Date.now() > end) throw new Error(`the gateway did not answer: ${g.output()}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    const maps = fs.readFileSync(`/proc/${g.child.pid}/maps`, 'utf8')
    const libs = [...new Set(maps.split('\n').map((l) => l.split(/\s+/)[5] ?? '').filter((f) => /\.node$|\.so/.test(f)).map((f) => path.basename(f)))]
    expect(libs.filter((l) => /onnxruntime|dawn|vips|sharp|vulkan/i.test(l))).toEqual([])
    expect(libs.some((l) => /better_sqlite3\.node/.test(l)) || Number(process.versions.node.split('.')[0]) >= 24).toBe(true)
  } finally {
    g.child.kill('SIGKILL')
    await g.exited
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
