/**
 * Runs codec work in worker threads (worker.mjs): at most `size` workers, started on first use
 * and kept while idle (unref'd, so they never hold the process open). Each frame has a deadline;
 * a worker that misses it is terminated and replaced, and the frame is refused with 422.
 */
import os from 'node:os'
import { Worker } from 'node:worker_threads'
import { XrayError } from '../../../errors/index.ts'
import { codecFiles, type CodecFiles } from './files.ts'

export type WorkerCodec = 'jpeg' | 'jpeg2000' | 'jpegls' | 'lossless'

export interface WorkerResult {
  info: { width?: number; height?: number; bitsPerSample: number; componentCount?: number; isSigned?: boolean }
  bytes: Uint8Array
}

interface Task {
  id: number
  codec: WorkerCodec
  bytes: Uint8Array
  numBytes?: number
  timeoutMs: number
  label: string
  resolve: (r: WorkerResult) => void
  reject: (e: unknown) => void
}

interface Slot {
  worker: Worker
  task?: Task
  timer?: NodeJS.Timeout
}

const size = Math.max(1, Math.min(4, os.availableParallelism() - 1))
const slots = new Set<Slot>()
const queue: Task[] = []
let files: CodecFiles | undefined
let nextId = 1

function spawn(): Slot {
  files ??= codecFiles()
  const slot: Slot = { worker: new Worker(files.worker, { workerData: files.data }) }
  slot.worker.unref()
  slot.worker.on('message', (m: { id: number; error?: string } & Partial<WorkerResult>) => {
    const t = slot.task
    if (!t || t.id !== m.id) return
    finish(slot)
    if (m.error !== undefined) t.reject(new Error(m.error))
    else t.resolve({ info: m.info!, bytes: m.bytes! })
    pump()
  })
  const lost = (why: string) => {
    if (!slots.delete(slot)) return
    const t = slot.task
    finish(slot)
    t?.reject(new Error(`the codec worker stopped (${why})`))
    pump()
  }
  slot.worker.on('error', (e: unknown) => lost(e instanceof Error ? e.message : String(e)))
  slot.worker.on('exit', (code) => lost(`exit code ${code}`))
  slots.add(slot)
  return slot
}

function finish(slot: Slot) {
  clearTimeout(slot.timer)
  slot.task = undefined
  slot.worker.unref()
}

function start(slot: Slot, t: Task) {
  slot.task = t
  slot.worker.ref()
  slot.timer = setTimeout(() => {
    slots.delete(slot)
    finish(slot)
    void slot.worker.terminate()
    t.reject(new XrayError('CORRUPT_IMAGE', `DICOM data cannot be decoded: the ${t.label} frame did not decode within ${t.timeoutMs / 1000} s`))
    pump()
  }, t.timeoutMs)
  slot.worker.postMessage({ id: t.id, codec: t.codec, bytes: t.bytes, numBytes: t.numBytes }, [t.bytes.buffer as ArrayBuffer])
}

function pump() {
  while (queue.length) {
    const slot = [...slots].find((s) => !s.task) ?? (slots.size < size ? spawn() : undefined)
    if (!slot) return
    start(slot, queue.shift()!)
  }
}

/** Decodes one codestream in a worker. `label` names the codec in messages. */
export function decodeInWorker(codec: WorkerCodec, codestream: Uint8Array, opts: { timeoutMs: number; label: string; numBytes?: number }): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    // A copy of its own: the frame may be a view of the request body, and its buffer is transferred.
    queue.push({ id: nextId++, codec, bytes: codestream.slice(), numBytes: opts.numBytes, timeoutMs: opts.timeoutMs, label: opts.label, resolve, reject })
    pump()
  })
}
