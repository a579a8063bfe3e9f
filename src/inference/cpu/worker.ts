/**
 * A CPU worker thread (started by WorkerClient): preprocessing, or one onnxruntime session. The
 * work that would block the event loop (TypeScript resize, `session.run`) runs here instead.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { preprocessCpu } from '../../preprocess/cpu.ts'
import type { Hello, Reply, Request, WorkerSetup } from './protocol.ts'
import { createCpuSession, runCpuSession, type CpuSession } from './session.ts'

const setup = workerData as WorkerSetup
const port = parentPort!
const { outWidth: w, outHeight: h } = setup.params
const size = 3 * w * h

let session: CpuSession | undefined

async function handle(req: Request): Promise<Reply> {
  const t0 = performance.now()
  if (req.op === 'prep') {
    const tensor = preprocessCpu({ width: req.width, height: req.height, data: req.data, format: 'png', source: { bitDepth: 8, channels: 1 } }, setup.params, new Float32Array(size))
    return { id: req.id, ok: true, tensor, ms: performance.now() - t0 }
  }
  if (setup.role !== 'model' || !session) throw new Error('this worker has no model')
  let input = req.parts[0]!
  if (req.parts.length > 1) {
    input = new Float32Array(req.n * size)
    req.parts.forEach((p, i) => input.set(p, i * size))
  }
  const out = await runCpuSession(session, setup.inputName, input, [req.n, 3, h, w])
  return { id: req.id, ok: true, logits: out.logits, cam: out.cam, ms: performance.now() - t0 }
}

/** Opens the session (model workers), says ready, then answers requests in order. */
async function main() {
  try {
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
