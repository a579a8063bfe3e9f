import { XrayError } from '../errors/index.ts'
import type { Metrics } from '../metrics/index.ts'

/** Codes that mean the server, not the request, is at fault. */
const INTERNAL = new Set(['INFERENCE_FAILED', 'GPU_ERROR', 'NO_GPU'])

export const isInternal = (e: XrayError): boolean => INTERNAL.has(e.code)

const counted = new WeakSet<XrayError>()

/** Counts a failed prediction once by code, wherever it is seen first (the service or the HTTP edge). */
export function countError(metrics: Metrics, e: XrayError): void {
  if (counted.has(e)) return
  counted.add(e)
  metrics.errors.inc({ code: e.code })
}
