/**
 * A model worker thread (started by WorkerClient): one onnxruntime session, and the preprocessing
 * of the images of its batches. The work that would block the event loop (TypeScript resize,
 * `session.run`) runs here instead.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { preprocessCpu } from '../../preprocess/cpu.ts'
import type { Hello, Pixels, Reply, Request, WorkerSetup } from './protocol.ts'
import { createCpuSession, runCpuSession, type CpuSession } from './session.ts'
import { niceThisThread } from '../../runtime/priority.ts'
import { fullGc } from '../../runtime/idle-gc.ts'

const setup = workerData as WorkerSetup
const port = parentPort!
const { outWidth: w, outHeight: h } = setup.params
const size = 3 * w * h

let session: CpuSession | undefined

/**
 * One model input per batch size, reused run after run (runs here go one at a time, see main): a
 * fresh one would be 0.6 MB of garbage per image.
 */
const inputs = new Map<number, Float32Array>()
const batchInput = (n: number) => {
  let input = inputs.get(n)
  if (!input) inputs.set(n, (input = new Float32Array(n * size)))
  return input
}

const gray = (p: Pixels) => ({ ...p, format: 'png' as const, source: { bitDepth: 8 as const, channels: 1 } })

async function handle(req: Request, waitMs: number): Promise<Reply> {
  const t0 = performance.now()
  if (!session) throw new Error('this worker has no model')
  let input: Float32Array
  if (req.parts.length === 1 && req.parts[0] instanceof Float32Array) input = req.parts[0]
  else {
    input = batchInput(req.n)
    req.parts.forEach((p, i) => (p instanceof Float32Array ? input.set(p, i * size) : preprocessCpu(gray(p), setup.params, input, i * size)))
  }
  const prepMs = performance.now() - t0
  const out = await runCpuSession(session, setup.inputName, input, [req.n, 3, h, w])
  return { id: req.id, ok: true, logits: out.logits, cam: out.cam, prepMs, ms: performance.now() - t0, waitMs }
}

/** Opens the session, says ready, then answers requests in order. */
async function main() {
  try {
    // Before the session starts its threads: they inherit this thread's niceness.
    niceThisThread(setup.session.nice ?? 0)
    session = await createCpuSession(setup.model, setup.session)
    // onnxruntime holds its own copy of the weights. This thread's copy of the model file (15 MB,
    // outside V8's heap) is garbage now, but nothing here allocates enough to start a collection:
    // without one it stays resident for the life of the server.
    ;(setup as { model?: Uint8Array }).model = undefined
    fullGc()()
    port.postMessage({ ready: true } satisfies Hello)
  } catch (e) {
    port.postMessage({ ready: false, message: (e as Error).message } satisfies Hello)
    return
  }
  // One request at a time, in order of arrival (the engine sends the next one before this one ends).
  let last: Promise<unknown> = Promise.resolve()
  port.on('message', (req: Request) => {
    const arrived = performance.now()
    last = last.then(() => handle(req, performance.now() - arrived)).then(
      (reply) => port.postMessage(reply),
      (e: unknown) => port.postMessage({ id: req.id, ok: false, message: (e as Error).message } satisfies Reply),
    )
  })
}

void main() // no top-level await: the executable bundles this file as CommonJS
