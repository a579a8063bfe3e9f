import { Worker } from 'node:worker_threads'
import type { ServerContext } from './context.ts'
import { LIVE_STALE_MS, READY_STALE_MS, SNAPSHOT_MS, workerSource } from './health-worker.ts'
import { healthReport } from './routes/health.ts'

export interface HealthListener {
  port: number
  /** Sends a snapshot now (the model became ready, a drain began) instead of at the next tick. */
  refresh(): void
  /** Stops the listener's thread. */
  close(): Promise<void>
}

/**
 * Liveness and readiness on a listener of their own (health.port): /health (the full report),
 * /health/live, /health/ready and the Open Inference Protocol's /v2/health/live|ready, served by a
 * thread of their own from snapshots of the server's state. No prediction shares their socket,
 * accept queue, admission or event loop, so neither a flood of the prediction port nor a full
 * queue delays them.
 */
export async function startHealthListener(ctx: ServerContext, host: string, port: number): Promise<HealthListener> {
  const worker = new Worker(workerSource, { eval: true, workerData: { host, port, readyStaleMs: READY_STALE_MS, liveStaleMs: LIVE_STALE_MS } })
  worker.unref()
  const snapshot = () => {
    const report = healthReport(ctx)
    worker.postMessage({ ready: ctx.host.state === 'ready' && !ctx.shuttingDown, report })
  }
  const bound = await new Promise<number>((resolve, reject) => {
    worker.on('message', (m: { listening?: number; error?: { code: string; message: string } }) => {
      if (m.listening !== undefined) resolve(m.listening)
      if (m.error) reject(Object.assign(new Error(`health listener on ${host}:${port}: ${m.error.message}`), { code: m.error.code }))
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the health listener's thread exited (${code})`)))
  }).catch(async (e: unknown) => {
    await worker.terminate()
    throw e
  })
  snapshot()
  const timer = setInterval(snapshot, SNAPSHOT_MS)
  timer.unref()
  return {
    port: bound,
    refresh: snapshot,
    async close() {
      clearInterval(timer)
      await worker.terminate()
    },
  }
}
