export interface BatchOptions {
  /** Most images per model run. 1 turns batching off. */
  maxBatch: number
  /**
   * How long an image waits for others when the engine is idle, in milliseconds. 0 (the default):
   * an idle engine starts at once, and images that arrive while it runs form the next batch.
   */
  maxDelayMs: number
}

export interface BatchedResult<R> {
  result: R
  queueMs: number
  preprocessMs: number
  inferenceMs: number
  batchSize: number
}

/** Items that waited longer than `deadlineMs` (since they were admitted) for a run are refused with `expired(waitedMs)` instead of being run. */
export interface Deadline {
  deadlineMs: number
  expired: (waitedMs: number) => Error
}

/** Runs one batch: one result per item, in order. */
/** `waitMs`: time the run spent waiting inside the engine, counted in each item's queue time. */
export type BatchRun<I, R> = (items: I[]) => Promise<{ results: R[]; preprocessMs: number; inferenceMs: number; waitMs?: number }>

interface Waiting<I, R> {
  item: I
  enqueued: number
  /** When its wait started for the deadline (its request's admission). */
  since: number
  resolve: (r: BatchedResult<R>) => void
  reject: (e: unknown) => void
}

/**
 * Dynamic batching without a fixed window: when a run slot of the engine is free, a batch starts
 * at once with what is waiting (up to `maxBatch`); while every slot is busy, arrivals gather and
 * start together when one frees. `slots` is how many runs the engine takes at a time (its model
 * workers). A non-zero `maxDelayMs` makes an idle engine wait that long for a fuller batch.
 * Each caller gets its own item's result.
 */
export class Batcher<I, R> {
  private queue: Waiting<I, R>[] = []
  private timer?: NodeJS.Timeout
  private running = 0

  constructor(
    private readonly run: BatchRun<I, R>,
    private readonly opts: BatchOptions,
    private readonly slots = 1,
    private readonly deadline?: Deadline,
  ) {}

  /** `since`: when the item's wait began for the deadline (default: now). */
  submit(item: I, since?: number): Promise<BatchedResult<R>> {
    return new Promise((resolve, reject) => {
      const enqueued = performance.now()
      this.queue.push({ item, enqueued, since: since ?? enqueued, resolve, reject })
      this.schedule()
    })
  }

  /** Items waiting for a run. */
  get pending(): number {
    return this.queue.length
  }

  /** Runs in progress. */
  get busy(): number {
    return this.running
  }

  private schedule() {
    while (this.queue.length && this.running < this.slots) {
      const left = this.opts.maxDelayMs - (performance.now() - this.queue[0].enqueued)
      if (this.queue.length < this.opts.maxBatch && left > 0) {
        this.timer ??= setTimeout(() => {
          this.timer = undefined
          this.schedule()
        }, left)
        return
      }
      clearTimeout(this.timer)
      this.timer = undefined
      const batch = this.fresh(this.queue.splice(0, this.opts.maxBatch))
      if (batch.length) void this.start(batch)
    }
  }

  /** The items still within the deadline; the others are refused now, never run. */
  private fresh(batch: Waiting<I, R>[]): Waiting<I, R>[] {
    if (!this.deadline) return batch
    const now = performance.now()
    return batch.filter((w) => {
      const waited = now - w.since
      if (waited <= this.deadline!.deadlineMs) return true
      w.reject(this.deadline!.expired(waited))
      return false
    })
  }

  private async start(batch: Waiting<I, R>[]) {
    this.running++
    const start = performance.now()
    try {
      const out = await this.run(batch.map((w) => w.item))
      batch.forEach((w, i) =>
        w.resolve({ result: out.results[i], queueMs: start - w.enqueued + (out.waitMs ?? 0), preprocessMs: out.preprocessMs, inferenceMs: out.inferenceMs, batchSize: batch.length }),
      )
    } catch (e) {
      for (const w of batch) w.reject(e)
    } finally {
      this.running--
      this.schedule()
    }
  }
}
