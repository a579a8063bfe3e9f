import type { InferenceSession } from 'onnxruntime-node'
import { loadOrtNode } from '../../runtime/native.ts'

type Ort = typeof import('onnxruntime-node')

/** How one onnxruntime CPU session runs: its threads and its memory. */
export interface CpuSessionOptions {
  /** Intra-op threads of this session. */
  threads: number
  /**
   * onnxruntime's CPU memory arena. Off: each run's buffers are freed after it, so memory follows
   * the current batch. On: the arena keeps the largest batch's memory for later runs and never
   * returns it.
   */
  memoryArena: boolean
  /**
   * Niceness of a worker's thread and the onnxruntime threads it starts (Linux; 0: the event
   * loop's own priority). Ignored without workers: the session then runs on the main thread.
   */
  nice?: number
  /** onnxruntime's intra-op threads busy-wait for work between operators instead of sleeping. */
  spin?: boolean
}

export interface CpuSession {
  ort: Ort
  session: InferenceSession
}

/**
 * An onnxruntime-node CPU session. Its intra-op threads do not spin waiting for work: on a host
 * whose cores are shared with decoding (and other programs), spinning threads take the cores the
 * decoders need. No memory pattern: onnxruntime would plan and keep one block per batch size
 * seen (batches vary from 1 to cpu_batch_size); without it a run takes its buffers from the
 * arena, which holds less (248 vs 286 MiB after batches of 1-4) and is no slower.
 */
export async function createCpuSession(bytes: Uint8Array, opts: CpuSessionOptions): Promise<CpuSession> {
  const ort = await loadOrtNode()
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableCpuMemArena: opts.memoryArena,
    enableMemPattern: false,
    extra: { session: { intra_op: { allow_spinning: opts.spin ? '1' : '0' } } },
  })
  return { ort, session }
}

/** One run of an NCHW f32 batch: logits [n,2] and CAMs [n,2,7,7]. */
export async function runCpuSession(s: CpuSession, inputName: string, input: Float32Array, dims: number[]) {
  const out = await s.session.run({ [inputName]: new s.ort.Tensor('float32', input, dims) })
  return { logits: out.logits.data as Float32Array, cam: out.cam.data as Float32Array }
}
