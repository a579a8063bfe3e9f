import { Worker } from 'node:worker_threads'
import { XrayError } from '../../errors/index.ts'
import type { Hello, Reply, Request, WorkerSetup } from './protocol.ts'
import { workerScript } from './script.ts'

type Ask = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never

/**
 * One CPU worker thread and the requests in flight to it. A worker that dies fails its
 * requests with INFERENCE_FAILED; the next request starts a new one.
 */
export class WorkerClient {
  private worker?: Promise<Worker>
  /** The worker once it said it is ready, until it fails or exits. */
  private running?: Worker
  private next = 0
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>()
  private closed = false
  /** The model file's bytes for the next start: held until a worker has started, then read again by `reload` (a new worker after one died). */
  private model?: Uint8Array
  private readonly setup: Omit<WorkerSetup, 'model'>

  constructor(
    setup: WorkerSetup,
    private readonly reload?: () => Promise<Uint8Array>,
  ) {
    const { model, ...rest } = setup
    this.model = model
    this.setup = rest
  }

  /** Starts the worker (if not running) and waits until it is ready. */
  start(): Promise<Worker> {
    if (!this.worker) {
      const w = this.spawn()
      this.worker = w
      // One that could not start (its model could not be read again, say): the next request tries anew.
      w.catch(() => {
        if (this.worker === w) this.worker = undefined
      })
    }
    return this.worker
  }

  private async spawn(): Promise<Worker> {
    const model = this.model ?? (await this.reload!())
    // No execArgv: the worker runs plain JavaScript and needs none of the main thread's loaders.
    const w = new Worker(await workerScript(), { workerData: { ...this.setup, model } satisfies WorkerSetup, execArgv: [] })
    const ready = new Promise<Worker>((resolve, reject) => {
      w.once('message', (hello: Hello) => {
        if (hello.ready) resolve(w)
        else reject(new XrayError('MODEL_INVALID', `the ${this.setup.role} worker failed to start: ${hello.message}`))
      })
      w.once('error', reject)
    })
    w.on('message', (reply: Reply | Hello) => {
      if (!('id' in reply)) return
      const p = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      if (this.pending.size === 0) w.unref()
      if (!p) return
      if (reply.ok) p.resolve(reply)
      else p.reject(new XrayError('INFERENCE_FAILED', `CPU ${this.setup.role} worker: ${reply.message}`))
    })
    const fail = (why: string) => {
      this.worker = undefined
      this.running = undefined
      for (const p of this.pending.values()) p.reject(new XrayError('INFERENCE_FAILED', `the CPU ${this.setup.role} worker ${why}`))
      this.pending.clear()
    }
    w.on('error', (e: Error) => fail(`failed: ${e.message}`))
    w.on('exit', (code) => {
      if (!this.closed) fail(`exited (code ${code})`)
    })
    ready.catch(() => undefined)
    // An idle worker does not keep the process alive (a command that fails before closing the
    // service still exits); it is held only while requests wait for it.
    return ready.then((worker) => {
      worker.unref()
      this.running = worker
      // The worker's session holds the weights: with a way to read them again, this thread lets its copy go.
      if (this.reload) this.model = undefined
      return worker
    })
  }

  /** Sends one request; `transfer` lists buffers handed over without a copy. */
  async ask<R extends Reply>(req: Ask, transfer: ArrayBuffer[] = []): Promise<R & { ok: true }> {
    if (this.closed) throw new XrayError('INFERENCE_FAILED', 'the CPU engine is closed')
    // A running worker gets the request before this call returns (the caller's next work overlaps
    // with it); only a worker still starting is waited for.
    const w = this.running ?? (await this.start())
    const id = this.next++
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) w.ref()
      this.pending.set(id, { resolve: resolve as (r: Reply) => void, reject })
      w.postMessage({ ...req, id }, transfer)
    })
  }

  async close(): Promise<void> {
    this.closed = true
    const w = await this.worker?.catch(() => undefined)
    await w?.terminate()
  }
}
