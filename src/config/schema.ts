/** `auto` takes a hardware GPU when one exists, else the CPU; `gpu` fails loudly without one. */
export type DeviceMode = 'auto' | 'gpu' | 'cpu'

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

/** xrayops' effective configuration (deployment/config.yaml + environment + flags); keys.ts lists every key. */
export interface ServerConfig {
  model: {
    /** Manifest (.json) or .onnx with its manifest beside it; unset: the shipped model. */
    path?: string
    architecture: string
    device: DeviceMode
  }
  server: {
    host: string
    port: number
    workers: number
    /** Longest a SIGTERM drain waits for in-flight requests, in milliseconds. */
    shutdownTimeoutMs: number
    /** Open connections to the prediction port beyond which a new one is answered 503 and closed. */
    maxConnections: number
    /** A request head must arrive within this, in milliseconds (else the connection is closed). */
    headersTimeoutMs: number
    /** A whole request (head and body) must arrive within this, in milliseconds (else 408). */
    requestTimeoutMs: number
    /** An idle keep-alive connection is closed after this, in milliseconds. */
    keepAliveTimeoutMs: number
  }
  /** The health listener: /health, /v2/health/live|ready and /metrics on a port of their own. */
  health: {
    /** Unset: server.port + 1000 (server.port - 1000 above 64535; any free port with server.port 0); 0: no health listener. */
    port?: number
  }
  performance: {
    cacheSize: number
    enableBatching: boolean
    /** How long an idle engine waits for a batch to fill, in milliseconds; 0: it starts at once. */
    batchTimeoutMs: number
    batchSize: number
    /** JPEG shrink-on-load (DCT scaling) down to the model's input size before the resize. */
    shrinkOnLoad: boolean
    /** Images decoded at once; 0: as many as libuv's thread pool runs (UV_THREADPOOL_SIZE, 4 by default). */
    decodeConcurrency: number
    /** CPU model worker threads, each with its own onnxruntime session; 0: on the main thread. */
    cpuWorkers: number
    /** onnxruntime intra-op threads per model worker; 0: the cores divided among the workers. */
    cpuThreads: number
    /** Most images in one onnxruntime CPU run (its memory arena grows with the largest run). */
    cpuBatchSize: number
    /** onnxruntime's CPU memory arena (fast; holds the largest run's memory) or plain allocations (slow). */
    cpuMemoryArena: boolean
    /** onnxruntime's CPU threads busy-wait between operators. */
    cpuSpin: boolean
    /** Niceness of the model's and the decoders' threads (Linux); the event loop keeps its own. */
    computeNice: number
  }
  gpu: {
    /** DEVICE=auto also takes a software adapter (lavapipe, SwiftShader); DEVICE=gpu always does. */
    allowSoftware: boolean
    /** Dawn toggles and flags, as `create()` takes them (`enable-dawn-features=...`). */
    dawnFlags: string[]
  }
  logging: { level: LogLevel; format: 'json' | 'pretty'; file?: string }
  metrics: { enabled: boolean }
  limits: {
    maxBodyBytes: number
    maxPixels: number
    maxBatchImages: number
    /** Bytes of memory the work in flight may hold (bodies, decoded pixels, tensors, JSON). */
    memoryBudget: number
    /** Deepest nesting of arrays and objects in a JSON body. */
    maxJsonDepth: number
    /** An admitted image still waiting for decoding or the model after this is answered 504, in milliseconds; 0: no deadline. */
    queueDeadlineMs: number
  }
  state: {
    /** The state folder (SQLite database, model store, tokens); unset: $STATE_DIRECTORY, else $XDG_STATE_HOME/xrayops, else ~/.local/state/xrayops. */
    dir?: string
  }
  runtime: {
    /** Where the single executable extracts its native libraries; unset: $CACHE_DIRECTORY, $XDG_CACHE_HOME, ~/.cache, then the temp folder. */
    cacheDir?: string
  }
  /** The audit trail (src/audit/): every prediction recorded in the state database. */
  audit: {
    enabled: boolean
    /** Queued records are written at least this often, in milliseconds. */
    flushIntervalMs: number
    /** ...and as soon as this many are queued. */
    flushRecords: number
    /** Records waiting to be written beyond which new ones are dropped (and counted). */
    queueSize: number
    /** Records older than this are deleted, in milliseconds; 0 keeps them forever. */
    retentionMs: number
  }
  /** Radiologists' feedback: accuracy over the most recent `window` labelled predictions. */
  feedback: { window: number }
  /** The drift check: the most recent `window` images against the training profile, every `intervalMs` (0: never). */
  drift: { window: number; intervalMs: number }
  /** Where the CLI's client commands (health, metrics, bench) connect. */
  client: {
    /** The model server (or gateway) to check; unset: http://127.0.0.1:<server.port>. */
    url?: string
    gatewayUrl?: string
    prometheusUrl?: string
    /** The Alertmanager `validate --comprehensive` checks. */
    alertmanagerUrl?: string
  }
  /** The gateway (`xrayops gateway`): the public entry in front of the blue and green model servers. */
  gateway: {
    host: string
    port: number
    /** A fixed upstream (Kubernetes: the model-server Service routes); unset: the live colour from the state database. */
    upstream?: string
    /** How often the gateway checks each colour's /v2/health/ready, in milliseconds. */
    checkIntervalMs: number
    /** Longest a forwarded request may take, in milliseconds. */
    upstreamTimeoutMs: number
  }
  /** Releases (`xrayops deploy`, `switch-traffic`, ...): where the colours' model servers listen. */
  deploy: {
    modelHost: string
    bluePort: number
    greenPort: number
    /** How long a model server may take to become ready (load, checksum, warm-up), in seconds. */
    readyTimeoutS: number
  }
  auth: {
    /** Prediction routes through the gateway need a bearer token with the `predict` (or `admin`) scope. */
    requirePredictToken: boolean
  }
  /** `xrayops backup`: where backups go (unset: <state>/backups) and how many complete ones are kept (0: all). */
  backup: { dir?: string; keep: number }
  /** `xrayops validate`: the newest backup's greatest age (ms; 0: not checked), least free disk and most memory used, in %. */
  validate: { backupMaxAgeMs: number; diskFreeMinPercent: number; memoryUsedMaxPercent: number }
  /** `xrayops notify`: webhook receivers (Alertmanager-compatible JSON); empty: the running Alertmanager's webhook receivers. */
  notify: { webhooks: string[] }
}

/** Where an effective value came from, per dotted key (`performance.cacheSize`). */
export type ConfigSource = 'default' | 'file' | 'env' | 'flag'
