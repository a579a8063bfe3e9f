import type { PreprocessParams } from '../../preprocess/params.ts'
import type { CpuSessionOptions } from './session.ts'

/** What a model worker is started with (workerData): it owns one onnxruntime session, and preprocesses and runs batches on it. */
export type WorkerSetup = { role: 'model'; model: Uint8Array; inputName: string; params: PreprocessParams; session: CpuSessionOptions }

/** `parts`: per image a [3,H,W] tensor or decoded pixels (preprocessed here), or one [n,3,H,W] tensor. */
export type Request = { id: number; op: 'run'; parts: (Float32Array | Pixels)[]; n: number }

/** Decoded 8-bit gray pixels. */
export interface Pixels {
  width: number
  height: number
  data: Uint8Array
}

export type Reply =
  /** `prepMs`: preprocessing of the pixels among the parts; `ms`: the whole run; `waitMs`: queued behind the run before it. */
  | { id: number; ok: true; logits: Float32Array; cam: Float32Array; prepMs: number; ms: number; waitMs: number }
  | { id: number; ok: false; message: string }

/** The first message of a worker: ready, or why it could not start. */
export type Hello = { ready: true } | { ready: false; message: string }
