/**
 * A CPU worker thread (started by WorkerClient): preprocessing, or one onnxruntime session. The
 * work that would block the event loop (TypeScript resize, `session.run`) runs here instead.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { preprocessCpu } from '../../preprocess/cpu.ts'
import type { Hello, Pixels, Reply, Request, WorkerSetup } from './protocol.ts'
import { createCpuSession, runCpuSession, type CpuSession } from './session.ts'
import { niceThisThread } from '../../runtime/priority.ts'

const setup = workerData as WorkerSetup
const port = parentPort!
const { outWidth: w, outHeight: h } = setup.params
const size = 3 * w * h

let session: CpuSession | undefined

const gray = (p: Pixels) => ({ ...p, format: 'png' as const, source: { bitDepth: 8 as const, channels: 1 } })

async function handle(req: Request): Promise<Reply> {
  const t0 = performance.now()
  if (req.op === 'prep') {
    const tensor = preprocessCpu(gray(req), setup.params, new Float32Array(size))
    return { id: req.id, ok: true, tensor, ms: performance.now() - t0 }
  }
  if (setup.role !== 'model' || !session) throw new Error('this worker has no model')
  let input: Float32Array
  if (req.parts.length === 1 && req.parts[0] instanceof Float32Array) input = req.parts[0]
  else {
    input = new Float32Array(req.n * size)
    req.parts.forEach((p, i) => (p instanceof Float32Array ? input.set(p, i * size) : preprocessCpu(gray(p), setup.params, input, i * size)))
  }
  const prepMs = performance.now() - t0
  const out = await runCpuSession(session, setup.inputName, input, [req.n, 3, h, w])
  return { id: req.id, ok: true, logits: out.logits, cam: out.cam, prepMs, ms: performance.now() - t0 }
}

/** Opens the session (model workers), says ready, then answers requests in order. */
async function main() {
  try {
    // Before the session starts its threads: they inherit this thread's niceness.
    niceThisThread((setup.role === 'model' ? setup.session.nice : setup.nice) ?? 0)
    if (setup.role === 'model') {
      session = await createCpuSession(setup.model, setup.session)
      ;(setup as { model?: Uint8Array }).model = undefined // onnxruntime holds its own copy of the weights
    }
    port.postMessage({ ready: true } satisfies Hello)
  } catch (e) {
    port.postMessage({ ready: false, message: (e as Error).message } satisfies Hello)
    return
  }
  port.on('message', (req: Request) => {
    handle(req).then(
      (reply) => port.postMessage(reply, 'tensor' in reply ? [reply.tensor.buffer as ArrayBuffer] : []),
      (e: unknown) => port.postMessage({ id: req.id, ok: false, message: (e as Error).message } satisfies Reply),
    )
  })
}

void main() // no top-level await: the executable bundles this file as CommonJS
