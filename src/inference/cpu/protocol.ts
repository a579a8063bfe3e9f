import type { PreprocessParams } from '../../preprocess/params.ts'
import type { CpuSessionOptions } from './session.ts'

/** What a CPU worker is started with (workerData). */
export type WorkerSetup =
  /** Resizes and normalizes decoded images into model input. */
  | { role: 'prep'; params: PreprocessParams; nice?: number }
  /** Owns one onnxruntime session and runs batches on it. */
  | { role: 'model'; model: Uint8Array; inputName: string; params: PreprocessParams; session: CpuSessionOptions }

export type Request =
  | { id: number; op: 'prep'; width: number; height: number; data: Uint8Array }
  /** `parts`: per image a [3,H,W] tensor or decoded pixels (preprocessed here), or one [n,3,H,W] tensor. */
  | { id: number; op: 'run'; parts: (Float32Array | Pixels)[]; n: number }

/** Decoded 8-bit gray pixels. */
export interface Pixels {
  width: number
  height: number
  data: Uint8Array
}

export type Reply =
  | { id: number; ok: true; tensor: Float32Array; ms: number }
  /** `prepMs`: preprocessing of the pixels among the parts; `ms`: the whole request. */
  | { id: number; ok: true; logits: Float32Array; cam: Float32Array; prepMs: number; ms: number }
  | { id: number; ok: false; message: string }

/** The first message of a worker: ready, or why it could not start. */
export type Hello = { ready: true } | { ready: false; message: string }
