import { XrayError } from '../errors/index.ts'

/**
 * Backpressure: a bound on the images being decoded or waiting for the model. Past it, new work
 * is refused at once with 503 OVERLOADED (and Retry-After) instead of queueing without end.
 */
export class Admission {
  private used = 0

  constructor(readonly capacity: number) {}

  /** Takes `cost` units or throws OVERLOADED; returns the function that gives them back (once). */
  acquire(cost: number): () => void {
    if (this.used + cost > this.capacity)
      throw new XrayError('OVERLOADED', `${this.used} images are being decoded or waiting for the model (limit ${this.capacity}); try again shortly`, {
        details: { in_progress: this.used, requested: cost, limit: this.capacity },
      })
    this.used += cost
    let released = false
    return () => {
      if (released) return
      released = true
      this.used -= cost
    }
  }

  get inUse(): number {
    return this.used
  }
}
