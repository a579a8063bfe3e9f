import pkg from '../../../package.json' with { type: 'json' }

/** The image the Dockerfile builds and the manifests run (docs/DEPLOY.md: tag and push it to your registry). */
export const IMAGE = `xrayops:${pkg.version}`

export interface K8sOptions {
  namespace: string
  image: string
  modelPort: number
  /** The model servers' health listener (health.port): the probes' port. */
  modelHealthPort: number
  gatewayPort: number
  /** The HPA owns each model server Deployment's replica count (the manifests leave `replicas` out). */
  hpa: { min: number; max: number; cpuPercent: number }
  /** XRAYOPS_SHUTDOWN_TIMEOUT_MS: how long a server drains after SIGTERM. */
  shutdownTimeoutMs: number
  /** preStop sleep: time for the endpoints controller to stop sending new requests before SIGTERM. */
  preStopSeconds: number
  /** How long the first start (extracting native libraries, loading and warming the model) may take. */
  startupSeconds: number
  gpus: number
}

export const k8sDefaults = (): K8sOptions => ({
  namespace: 'mlops',
  image: IMAGE,
  modelPort: 8000,
  modelHealthPort: 9000,
  gatewayPort: 8080,
  hpa: { min: 2, max: 6, cpuPercent: 70 },
  shutdownTimeoutMs: 30_000,
  preStopSeconds: 10,
  startupSeconds: 300,
  gpus: 1,
})

/** Labels shared by every object of the product. */
export const PART_OF = { 'app.kubernetes.io/part-of': 'xrayops' } as const
export const MODEL = 'model-server'
export const GATEWAY = 'gateway'
export const CONFIG_MAP = 'xrayops-config'
/** Where the image keeps the checkout's layout: config.yaml's `../models/...` resolves to the image's models/. */
export const APP_DIR = '/opt/xrayops'
