/**
 * Memory back after a burst. V8 collects garbage when JavaScript allocates; a server that goes
 * quiet allocates nothing, so the request bodies and decoded images of the last burst (Buffers,
 * outside V8's heap) stay resident until the next request. Once the server has been quiet for a
 * while after work, one full collection frees them, and glibc gives large blocks back to the
 * system. One collection per quiet spell; none while requests keep coming.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

let collect: (() => void) | undefined

/** V8's full collection (`gc`) for this thread, exposed at run time when the process was not started with --expose-gc. */
export function fullGc(): () => void {
  if (!collect) {
    const g = (globalThis as { gc?: () => void }).gc
    if (g) collect = g
    else {
      setFlagsFromString('--expose-gc')
      collect = runInNewContext('gc') as () => void
    }
  }
  return collect
}

/**
 * Every `checkMs`, runs one full collection when the last activity (`lastActivity()`, epoch ms) is
 * at least `quietMs` old and came after the previous collection. Returns the stop function.
 */
export function collectWhenQuiet(lastActivity: () => number, quietMs = 5_000, checkMs = 1_000, onCollect?: (ms: number) => void): () => void {
  let collectedAt = Date.now()
  const timer = setInterval(() => {
    const last = lastActivity()
    const now = Date.now()
    if (last <= collectedAt || now - last < quietMs) return
    const t0 = performance.now()
    fullGc()()
    collectedAt = Date.now()
    onCollect?.(performance.now() - t0)
  }, checkMs)
  timer.unref()
  return () => clearInterval(timer)
}
