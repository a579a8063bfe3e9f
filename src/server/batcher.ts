import type { GrayImage } from '../imaging/decode.ts'
import type { Classification } from '../inference/results.ts'

export interface BatchOptions {
  /** Most images per model run. 1 turns batching off. */
  maxBatch: number
  /** Longest an image waits for others to join its batch, in milliseconds. */
  maxDelayMs: number
}

export interface BatchedResult {
  result: Classification
  queueMs: number
  preprocessMs: number
  inferenceMs: number
  batchSize: number
}

type Run = (images: GrayImage[]) => Promise<{ results: Classification[]; preprocessMs: number; inferenceMs: number }>

interface Waiting {
  image: GrayImage
  enqueued: number
  resolve: (r: BatchedResult) => void
  reject: (e: unknown) => void
}

/**
 * Dynamic batching: concurrent requests share one model run, up to `maxBatch` images or
 * `maxDelayMs` after the first one arrived. One batch runs at a time; requests arriving
 * meanwhile form the next. Each caller gets its own image's result.
 */
export class Batcher {
  private queue: Waiting[] = []
  private timer?: NodeJS.Timeout
  private running = false
  onBatch?: (size: number) => void

  constructor(private readonly run: Run, private readonly opts: BatchOptions) {}

  submit(image: GrayImage): Promise<BatchedResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ image, enqueued: performance.now(), resolve, reject })
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
      this.onBatch?.(batch.length)
      const out = await this.run(batch.map((w) => w.image))
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
