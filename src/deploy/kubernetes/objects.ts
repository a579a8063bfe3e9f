import { baseEnv, configMount, configVolume, containerSecurity, type K8sObject, podBase, scratchMounts, scratchVolumes } from './pod.ts'
import { APP_DIR, CONFIG_MAP, GATEWAY, type K8sOptions, MODEL, PART_OF } from './options.ts'
import { MALLOC_ENV } from '../../runtime/node-flags.ts'

const meta = (o: K8sOptions, name: string, labels: Record<string, string> = {}) => ({ name, namespace: o.namespace, labels: { ...PART_OF, ...labels } })
const nameLabel = (component: string) => ({ 'app.kubernetes.io/name': component })

export const namespace = (o: K8sOptions): K8sObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels: { ...PART_OF } } })

/** deployment/config.yaml, byte for byte, as the model servers' config file. */
export const configMap = (o: K8sOptions, configText: string): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: meta(o, CONFIG_MAP),
  data: { 'config.yaml': configText },
})

/**
 * A model server Deployment. `instance` keeps Deployments' selectors apart (model-server and each
 * colour); the Service selects on the name (any model server) or on name + colour (blue/green).
 */
export function modelDeployment(o: K8sOptions, instance: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): K8sObject {
  const selector = { ...nameLabel(MODEL), 'app.kubernetes.io/instance': instance }
  const labels = { ...selector, ...extra.labels }
  // Probes go to the health listener: a flood of the prediction port or a full queue cannot fail them.
  const health = { port: 'health' }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(o, instance, labels),
    spec: {
      selector: { matchLabels: selector },
      // A new pod is ready before an old one goes (needs one spare GPU during a rollout).
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...PART_OF, ...labels }, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
        spec: {
          ...podBase(o),
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          containers: [
            {
              name: MODEL,
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              args: ['serve', '--config', `${APP_DIR}/deployment/config.yaml`],
              ports: [
                { name: 'http', containerPort: o.modelPort, protocol: 'TCP' },
                { name: 'health', containerPort: o.modelHealthPort, protocol: 'TCP' },
              ],
              env: [
                ...baseEnv(o),
                // A pod that was given a GPU and cannot use it fails (NO_GPU) instead of running on the CPU.
                { name: 'DEVICE', value: 'gpu' },
                { name: 'PORT', value: String(o.modelPort) },
                { name: 'XRAYOPS_HEALTH_PORT', value: String(o.modelHealthPort) },
                // glibc's malloc settings for a model server (src/runtime/node-flags.ts).
                ...Object.entries(MALLOC_ENV).map(([name, value]) => ({ name, value })),
                // The NVIDIA container toolkit mounts the Vulkan driver only for the graphics capability.
                { name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'compute,utility,graphics' },
              ],
              resources: {
                requests: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': String(o.gpus) },
                limits: { memory: '8Gi', 'nvidia.com/gpu': String(o.gpus) },
              },
              startupProbe: { httpGet: { path: '/v2/health/live', ...health }, periodSeconds: 2, failureThreshold: Math.ceil(o.startupSeconds / 2), timeoutSeconds: 2 },
              readinessProbe: { httpGet: { path: '/v2/health/ready', ...health }, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 3 },
              livenessProbe: { httpGet: { path: '/v2/health/live', ...health }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 },
              // Endpoints drop the pod while it sleeps; then SIGTERM starts the server's own drain.
              lifecycle: { preStop: { exec: { command: ['/bin/sleep', String(o.preStopSeconds)] } } },
              securityContext: containerSecurity,
              volumeMounts: [configMount, ...scratchMounts],
            },
          ],
          volumes: [configVolume, ...scratchVolumes],
        },
      },
    },
  }
}

/** The Service clients (and the gateway) use; `colour` narrows it to one colour's Deployment. */
export function modelService(o: K8sOptions, colour?: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(o, MODEL, nameLabel(MODEL)),
    spec: { selector: { ...nameLabel(MODEL), ...(colour ? { colour } : {}) }, ports: [{ name: 'http', port: o.modelPort, targetPort: 'http', protocol: 'TCP' }] },
  }
}

export function gatewayDeployment(o: K8sOptions): K8sObject {
  const selector = { ...nameLabel(GATEWAY), 'app.kubernetes.io/instance': GATEWAY }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(o, GATEWAY, selector),
    spec: {
      replicas: 2,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...PART_OF, ...selector } },
        spec: {
          ...podBase(o),
          containers: [
            {
              name: GATEWAY,
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              args: ['gateway', '--host', '0.0.0.0', '--port', String(o.gatewayPort)],
              ports: [{ name: 'http', containerPort: o.gatewayPort, protocol: 'TCP' }],
              env: [...baseEnv(o), { name: 'XRAYOPS_GATEWAY_UPSTREAM', value: `http://${MODEL}.${o.namespace}.svc:${o.modelPort}` }],
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              // Ready when the model servers behind it are; alive while it answers TCP.
              readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 3 },
              livenessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
              lifecycle: { preStop: { exec: { command: ['/bin/sleep', String(o.preStopSeconds)] } } },
              securityContext: containerSecurity,
              volumeMounts: scratchMounts,
            },
          ],
          volumes: scratchVolumes,
        },
      },
    },
  }
}

export const gatewayService = (o: K8sOptions): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: meta(o, GATEWAY, nameLabel(GATEWAY)),
  spec: { selector: nameLabel(GATEWAY), ports: [{ name: 'http', port: o.gatewayPort, targetPort: 'http', protocol: 'TCP' }] },
})

/** Scales a model server Deployment on CPU between min and max (kubectl scale stays valid within them). */
export const hpa = (o: K8sOptions, deployment: string): K8sObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: meta(o, deployment, nameLabel(MODEL)),
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment },
    minReplicas: o.hpa.min,
    maxReplicas: o.hpa.max,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: o.hpa.cpuPercent } } }],
    behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
  },
})

/** Voluntary disruptions (node drains) keep at least one pod of `component` serving. */
export const pdb = (o: K8sOptions, component: string): K8sObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: meta(o, component, nameLabel(component)),
  spec: { minAvailable: 1, selector: { matchLabels: nameLabel(component) } },
})
