import { XrayError } from '../errors/index.ts'

/**
 * The nesting of a JSON text checked as it arrives, chunk by chunk, before anything parses it:
 * past `max` levels of arrays and objects it throws 413 at once (a body of 30 MB of "[" is
 * refused after 33 bytes instead of stalling the event loop in JSON.parse).
 */
export class JsonDepth {
  private depth = 0
  private inString = false
  private escaped = false

  constructor(private readonly max: number) {}

  feed(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (b === 0x5c) this.escaped = true // \
        else if (b === 0x22) this.inString = false // "
      } else if (b === 0x22) this.inString = true
      else if (b === 0x5b || b === 0x7b) {
        // [ {
        if (++this.depth > this.max)
          throw new XrayError('INPUT_TOO_LARGE', `the JSON body nests deeper than ${this.max} levels of arrays and objects (limits.max_json_depth)`, {
            details: { limit: this.max },
          })
      } else if (b === 0x5d || b === 0x7d) this.depth-- // ] }
    }
  }
}
