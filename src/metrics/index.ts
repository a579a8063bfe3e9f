import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { registerHostMetrics, type HostMetricsOptions } from './host.ts'
import { BATCH_BUCKETS, LATENCY_BUCKETS, M } from './names.ts'

export { M } from './names.ts'

export interface MetricsOptions {
  /** Host memory and the disks of these folders (host.ts); none when absent. */
  host?: HostMetricsOptions
}

/** The model server's metrics, on a registry of their own. */
export function createMetrics(opts: MetricsOptions = {}) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'xray_' })
  if (opts.host) registerHostMetrics(registry, opts.host)
  const registers = [registry]
  const seconds = (name: string, help: string, labelNames: string[] = []) =>
    new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers })
  return {
    registry,
    requests: new Counter({ name: M.requests, help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers }),
    inFlight: new Gauge({ name: M.inFlight, help: 'HTTP requests being served', registers }),
    requestDuration: seconds(M.requestDuration, 'Time from request to response', ['route']),
    queueDuration: seconds(M.queueDuration, 'Time an image waited for its batch to start'),
    decodeDuration: seconds(M.decodeDuration, 'Time to validate and decode one image'),
    preprocessDuration: seconds(M.preprocessDuration, 'Time to preprocess one image (CPU workers) or one batch'),
    inferenceDuration: seconds(M.inferenceDuration, 'Time to run the model on one batch'),
    batchSize: new Histogram({ name: M.batchSize, help: 'Images per model run', buckets: BATCH_BUCKETS, registers }),
    cacheHits: new Counter({ name: M.cacheHits, help: 'Predictions answered from the cache', registers }),
    cacheMisses: new Counter({ name: M.cacheMisses, help: 'Predictions not in the cache', registers }),
    cacheEntries: new Gauge({ name: M.cacheEntries, help: 'Entries in the prediction cache', registers }),
    predictions: new Counter({ name: M.predictions, help: 'Predictions by label', labelNames: ['label'], registers }),
    errors: new Counter({ name: M.errors, help: 'Rejected or failed predictions by error code', labelNames: ['code'], registers }),
    modelInfo: new Gauge({ name: M.modelInfo, help: 'The loaded model (value 1)', labelNames: ['name', 'version', 'sha256', 'device'], registers }),
    modelReady: new Gauge({ name: M.modelReady, help: '1 once the model has passed its warm-up check', registers }),
    gpuMemory: new Gauge({ name: M.gpuMemory, help: 'Bytes of GPU memory held by our own buffers', registers }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
