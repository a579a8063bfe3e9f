import type { PredictionService } from '../../src/inference/service.ts'
import type { Engine } from '../../src/inference/types.ts'

type Run = (...args: never[]) => Promise<unknown>

/**
 * Holds every model run of `service`'s engine at its start until `resume()`: work admitted
 * meanwhile stays in flight (decoded, queued or in the held run) so tests can look at the
 * admission and the queue in a known state, without timing.
 */
export function pauseEngine(service: PredictionService) {
  const engine = service.engine as unknown as Record<'infer' | 'inferTensor' | 'inferItems', Run | undefined>
  const original = { infer: engine.infer, inferTensor: engine.inferTensor, inferItems: engine.inferItems }
  let open!: () => void
  const gate = new Promise<void>((r) => (open = r))
  let started = 0
  // The service runs an engine with inferItems through it alone (its infer calls it too).
  for (const name of original.inferItems ? (['inferItems'] as const) : (['infer', 'inferTensor'] as const)) {
    const fn = original[name]
    if (!fn) continue
    engine[name] = async (...args: never[]) => {
      started++
      await gate
      return fn.apply(service.engine as Engine, args)
    }
  }
  return {
    /** Runs started (and held until `resume`). */
    get started() {
      return started
    },
    resume() {
      Object.assign(engine, original)
      open()
    },
  }
}

/** Waits (polling, no time bound of its own: the test's timeout is the bound) until `condition()` holds. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10))
}
