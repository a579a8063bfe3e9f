import { XrayError } from '../errors/index.ts'

/** What a piece of work holds while it runs: images (decoding or waiting for the model) and bytes of memory. */
export interface Cost {
  images: number
  bytes: number
}

const MiB = 1024 * 1024
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`

/**
 * Backpressure by cost: a bound on the images in progress and on the memory the work in flight
 * holds (request bodies, decoded pixels, tensors, parsed JSON), each share known before its work
 * starts. Past either, new work is refused at once with 503 OVERLOADED (and Retry-After) instead
 * of queueing without end; work that alone needs more than the whole memory budget is a 413.
 */
export class Admission {
  private used = 0
  private bytesUsed = 0
  /** The most bytes ever held at once (what the budget bounded). */
  peakBytes = 0
  /** Recent time per image through the model, ms (a moving average); 0 until measured. */
  private perImageMs = 0

  constructor(
    readonly capacity: number,
    /** Bytes of memory the work in flight may hold (limits.memory_budget). */
    readonly budget = Number.POSITIVE_INFINITY,
    /** Longest expected wait for the model an admitted image may face (0: no bound). */
    readonly maxWaitMs = 0,
  ) {}

  /** Tells the admission how long the model took per image in a run (wall time / images / parallel runs). */
  observe(msPerImage: number): void {
    this.perImageMs = this.perImageMs ? 0.8 * this.perImageMs + 0.2 * msPerImage : msPerImage
  }

  /** The wait an image admitted now would expect before its answer, ms (0 until runs were measured). */
  get expectedWaitMs(): number {
    return this.used * this.perImageMs
  }

  /** Takes `cost` (a count of images, or images and bytes) or throws; returns the function that gives it back (once). */
  acquire(cost: number | Cost): () => void {
    const { images, bytes } = typeof cost === 'number' ? { images: cost, bytes: 0 } : cost
    this.check(images, bytes)
    this.used += images
    this.take(bytes)
    let released = false
    return () => {
      if (released) return
      released = true
      this.used -= images
      this.bytesUsed -= bytes
    }
  }

  /**
   * A reservation of bytes that grows as its work learns more (a body as it arrives): `grow(n)`
   * takes n more bytes or throws (413 past the whole budget, 503 past what is free).
   */
  reserve(): { grow: (bytes: number) => void; release: () => void; readonly bytes: number } {
    let held = 0
    let released = false
    return {
      grow: (bytes: number) => {
        if (released) return
        this.check(0, bytes, held)
        this.take(bytes)
        held += bytes
      },
      release: () => {
        if (released) return
        released = true
        this.bytesUsed -= held
      },
      get bytes() {
        return held
      },
    }
  }

  /** Throws as `acquire` would for `cost`, taking nothing: refuses work before it is read (a body). */
  ensureRoom(cost: Cost): void {
    this.check(cost.images, cost.bytes)
  }

  get inUse(): number {
    return this.used
  }

  get bytesInUse(): number {
    return this.bytesUsed
  }

  private take(bytes: number) {
    this.bytesUsed += bytes
    if (this.bytesUsed > this.peakBytes) this.peakBytes = this.bytesUsed
  }

  private check(images: number, bytes: number, alreadyHeld = 0) {
    if (alreadyHeld + bytes > this.budget)
      throw new XrayError('INPUT_TOO_LARGE', `this request needs about ${mib(alreadyHeld + bytes)} of memory, more than the server's whole budget of ${mib(this.budget)} (limits.memory_budget); send fewer or smaller images`, {
        details: { bytes: alreadyHeld + bytes, limit: this.budget },
      })
    if (this.used + images > this.capacity)
      throw new XrayError('OVERLOADED', `${this.used} images are being decoded or waiting for the model (limit ${this.capacity}); try again shortly`, {
        details: { in_progress: this.used, requested: images, limit: this.capacity },
      })
    const wait = (this.used + images) * this.perImageMs
    if (images > 0 && this.maxWaitMs > 0 && this.used > 0 && wait > this.maxWaitMs)
      throw new XrayError('OVERLOADED', `an image admitted now would wait about ${Math.round(wait)} ms for the model, past the ${this.maxWaitMs} ms the server takes on (half of limits.queue_deadline); try again shortly`, {
        details: { in_progress: this.used, expected_wait_ms: Math.round(wait), limit_ms: this.maxWaitMs },
      })
    if (this.bytesUsed + bytes > this.budget)
      throw new XrayError('OVERLOADED', `the work in flight holds ${mib(this.bytesUsed)} of the ${mib(this.budget)} memory budget (limits.memory_budget); try again shortly`, {
        details: { bytes_in_use: this.bytesUsed, requested: bytes, limit: this.budget },
      })
  }
}
