export { kubectlApply } from './apply.ts'
export { baseManifests, colourManifests, FILE_HEADER, toYaml } from './manifests.ts'
export { IMAGE, type K8sOptions, k8sDefaults } from './options.ts'
export type { K8sObject } from './pod.ts'
