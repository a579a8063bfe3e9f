/** Metric names, in one place. Prefix `xray_`, base units (seconds, bytes), counters end in _total. */
export const M = {
  requests: 'xray_http_requests_total', // labels: route, method, status
  inFlight: 'xray_http_requests_in_flight',
  requestDuration: 'xray_request_duration_seconds', // histogram, labels: route
  queueDuration: 'xray_queue_duration_seconds',
  decodeDuration: 'xray_decode_duration_seconds',
  preprocessDuration: 'xray_preprocess_duration_seconds',
  inferenceDuration: 'xray_inference_duration_seconds',
  batchSize: 'xray_batch_size', // histogram of images per model run
  cacheHits: 'xray_cache_hits_total',
  cacheMisses: 'xray_cache_misses_total',
  cacheEntries: 'xray_cache_entries',
  predictions: 'xray_predictions_total', // labels: label
  errors: 'xray_prediction_errors_total', // labels: code
  modelInfo: 'xray_model_info', // gauge 1, labels: name, version, sha256, device
  modelReady: 'xray_model_ready', // gauge 0/1
  gpuMemory: 'xray_gpu_memory_bytes', // bytes held by our own GPU buffers
  // Host metrics (host.ts), read at scrape time: the memory and disk alerts need no node_exporter.
  hostMemoryTotal: 'xray_host_memory_total_bytes',
  hostMemoryAvailable: 'xray_host_memory_available_bytes',
  processResidentMemory: 'xray_process_resident_memory_bytes', // from prom-client's default metrics
  diskTotal: 'xray_disk_total_bytes', // labels: dir (state | logs), path
  diskFree: 'xray_disk_free_bytes', // labels: dir, path; bytes an unprivileged process can write
  // Radiologists' feedback over a sliding window of labelled predictions (monitoring/rules use these).
  feedbackAccuracy: 'xray_feedback_accuracy', // gauge 0..1
  feedbackSensitivity: 'xray_feedback_sensitivity', // gauge 0..1
  feedbackSpecificity: 'xray_feedback_specificity', // gauge 0..1
  feedbackWindowLabelled: 'xray_feedback_window_labelled', // gauge: labelled predictions in the window
  feedback: 'xray_feedback_total', // counter, labels: true_label
  // Drift of recent inputs against the training profile.
  driftPsi: 'xray_drift_psi', // gauge, labels: feature
  driftKs: 'xray_drift_ks', // gauge, labels: feature
  driftDetected: 'xray_drift_detected', // gauge 0/1
  // Audit trail.
  auditDropped: 'xray_audit_dropped_total', // counter, labels: reason
  auditQueueDepth: 'xray_audit_queue_depth', // gauge
  // API gateway.
  gatewayRequests: 'xray_gateway_requests_total', // counter, labels: route, status, colour
  gatewayRequestDuration: 'xray_gateway_request_duration_seconds', // histogram
  gatewayUpstreamUp: 'xray_gateway_upstream_up', // gauge 0/1, labels: colour
  gatewayInFlight: 'xray_gateway_requests_in_flight', // gauge, labels: colour
  gatewayGeneration: 'xray_gateway_live_generation', // gauge: the switch generation it routes by
} as const

/** Latency buckets from 1 ms to 10 s, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
export const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128]
