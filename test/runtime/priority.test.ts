/**
 * Compute threads at a lower priority than the event loop (performance.compute_nice): a worker
 * thread lowered by niceThisThread, the threads it starts, the CPU engine's workers with their
 * onnxruntime threads, and libvips' decoders found by name. Linux: niceness per thread.
 */
import os from 'node:os'
import { readdirSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { PredictionService } from '../../src/inference/service.ts'
import { keepThreadsNice, threadsNamed } from '../../src/runtime/priority.ts'
import { readFixture } from '../helpers/fixtures.ts'

const priorityUrl = new URL('../../src/runtime/priority.ts', import.meta.url).href

/** Niceness of every thread of this process, by thread id. */
const niceness = () => new Map(readdirSync('/proc/self/task').map((t) => [Number(t), os.getPriority(Number(t))] as const))

/** Runs `code` (an ES module body; `report(value)` posts back) in a worker thread; resolves to what it reported. */
function inWorker(code: string): Promise<unknown> {
  const source = `import { parentPort } from 'node:worker_threads'; const report = (v) => parentPort.postMessage(v); ${code}`
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), { execArgv: ['--import', new URL('../../bin/register.mjs', import.meta.url).href] })
    w.once('message', (v) => {
      resolve(v)
      void w.terminate()
    })
    w.once('error', reject)
  })
}

describe('compute thread priorities', () => {
  it('a thread lowered with niceThisThread has that niceness, a thread it then starts inherits it, the main thread keeps its own', async () => {
    const main = os.getPriority(process.pid)
    const r = (await inWorker(`
      const { readlinkSync } = await import('node:fs')
      const { Worker } = await import('node:worker_threads')
      const { niceThisThread } = await import(${JSON.stringify(priorityUrl)})
      const tid = () => Number(readlinkSync('/proc/thread-self').split('/').pop())
      const ok = niceThisThread(7)
      const child = await new Promise((resolve) => {
        const w = new Worker("const { parentPort } = require('node:worker_threads'); parentPort.postMessage(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()))", { eval: true })
        w.once('message', (t) => { resolve(t); w.terminate() })
      })
      const os = await import('node:os')
      report({ ok, self: os.getPriority(tid()), child, childNice: os.getPriority(child) })
    `)) as { ok: boolean; self: number; childNice: number }
    expect(r.ok).toBe(true)
    expect(r.self).toBe(7)
    expect(r.childNice).toBe(7)
    expect(os.getPriority(process.pid)).toBe(main)
  })

  it("the CPU engine's model worker, with onnxruntime's threads, runs at compute_nice; the event loop does not", async () => {
    const before = niceness()
    const s = await PredictionService.create({ device: 'cpu', cpu: { workers: 1, threads: 2 }, computeNice: 5 })
    try {
      const p = await s.predict(readFixture('xray-original/IM-0001-0001.jpeg'), { source: 'eval', noCache: true })
      expect(p.label).toBe('NORMAL')
      const lowered = [...niceness()].filter(([tid, n]) => n === 5 && before.get(tid) !== 5)
      // The model worker and the intra-op thread onnxruntime started from it.
      expect(lowered.length).toBeGreaterThanOrEqual(2)
      expect(os.getPriority(process.pid)).toBe(before.get(process.pid))
      // libvips' decoders, found by name (a scan a second) once a decode started them: a 224 px
      // JPEG is decoded by libvips (an original-size gray one by the integrity walk itself).
      await s.predict(readFixture('xray-224/NORMAL/IM-0005-0001.jpeg'), { source: 'eval', noCache: true })
      expect(threadsNamed('libvips worker').length).toBeGreaterThan(0)
      await expect.poll(() => threadsNamed('libvips worker').every((t) => t.nice === 5), { timeout: 5_000 }).toBe(true)
    } finally {
      await s.close()
    }
  })

  it('keepThreadsNice with 0 changes nothing', () => {
    const before = niceness()
    keepThreadsNice('node', 0)()
    expect(niceness().get(process.pid)).toBe(before.get(process.pid))
  })
})
