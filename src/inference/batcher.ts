export interface BatchOptions {
  /** Most images per model run. 1 turns batching off. */
  maxBatch: number
  /** Longest an image waits for others to join its batch, in milliseconds. */
  maxDelayMs: number
}

export interface BatchedResult<R> {
  result: R
  queueMs: number
  preprocessMs: number
  inferenceMs: number
  batchSize: number
}

/** Runs one batch: one result per item, in order. */
export type BatchRun<I, R> = (items: I[]) => Promise<{ results: R[]; preprocessMs: number; inferenceMs: number }>

interface Waiting<I, R> {
  item: I
  enqueued: number
  resolve: (r: BatchedResult<R>) => void
  reject: (e: unknown) => void
}

/**
 * Dynamic batching: concurrent predictions share one model run, up to `maxBatch` images or
 * `maxDelayMs` after the first one arrived. One batch runs at a time; requests arriving
 * meanwhile form the next. Each caller gets its own image's result.
 */
export class Batcher<I, R> {
  private queue: Waiting<I, R>[] = []
  private timer?: NodeJS.Timeout
  private running = false

  constructor(private readonly run: BatchRun<I, R>, private readonly opts: BatchOptions) {}

  submit(item: I): Promise<BatchedResult<R>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, enqueued: performance.now(), resolve, reject })
      this.schedule()
    })
  }

  get pending(): number {
    return this.queue.length
  }

  private schedule() {
    if (this.running) return
    const left = this.opts.maxDelayMs - (performance.now() - this.queue[0].enqueued)
    if (this.queue.length >= this.opts.maxBatch || left <= 0) return void this.flush()
    this.timer ??= setTimeout(() => this.flush(), left)
  }

  private async flush() {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.running || this.queue.length === 0) return
    const batch = this.queue.splice(0, this.opts.maxBatch)
    this.running = true
    const start = performance.now()
    try {
      const out = await this.run(batch.map((w) => w.item))
      batch.forEach((w, i) =>
        w.resolve({ result: out.results[i], queueMs: start - w.enqueued, preprocessMs: out.preprocessMs, inferenceMs: out.inferenceMs, batchSize: batch.length }),
      )
    } catch (e) {
      for (const w of batch) w.reject(e)
    } finally {
      this.running = false
      if (this.queue.length) this.schedule()
    }
  }
}
