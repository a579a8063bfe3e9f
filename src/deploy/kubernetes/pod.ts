import { APP_DIR, CONFIG_MAP, type K8sOptions } from './options.ts'

/** A JSON-like Kubernetes object; validated against the API types in the tests. */
export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } }

const UID = 10001

/** Non-root, read-only root file system, no capabilities, the runtime's default seccomp profile. */
export const containerSecurity = {
  runAsNonRoot: true,
  runAsUser: UID,
  runAsGroup: UID,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
}

/** Writable folders on a read-only root: the native-library cache (dlopened, so not noexec), state, /tmp. */
export const scratchVolumes = [
  { name: 'cache', emptyDir: { sizeLimit: '2Gi' } },
  { name: 'state', emptyDir: { sizeLimit: '1Gi' } },
  { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
]
export const scratchMounts = [
  { name: 'cache', mountPath: '/var/cache/xrayops' },
  { name: 'state', mountPath: '/var/lib/xrayops' },
  { name: 'tmp', mountPath: '/tmp' },
]

export const baseEnv = (o: K8sOptions) => [
  { name: 'XRAYOPS_CACHE_DIR', value: '/var/cache/xrayops' },
  { name: 'XRAYOPS_STATE_DIR', value: '/var/lib/xrayops' },
  { name: 'XRAYOPS_SHUTDOWN_TIMEOUT_MS', value: String(o.shutdownTimeoutMs) },
  { name: 'LOG_FORMAT', value: 'json' },
]

/** Pod-level settings every xrayops pod shares. */
export const podBase = (o: K8sOptions) => ({
  // preStop, then SIGTERM and the drain, then a margin before SIGKILL.
  terminationGracePeriodSeconds: o.preStopSeconds + Math.ceil(o.shutdownTimeoutMs / 1000) + 15,
  automountServiceAccountToken: false,
  enableServiceLinks: false,
  securityContext: { runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, fsGroup: UID, seccompProfile: { type: 'RuntimeDefault' } },
})

/** The model server's config file from the ConfigMap, where the image's layout expects it. */
export const configVolume = { name: 'config', configMap: { name: CONFIG_MAP } }
export const configMount = { name: 'config', mountPath: `${APP_DIR}/deployment`, readOnly: true }
