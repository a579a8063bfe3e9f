import { defineCommand } from 'citty'

export default defineCommand({
  meta: { name: 'k8s', description: 'Kubernetes manifests: the k8s/ set and blue/green colours' },
  subCommands: {
    print: () => import('./print.ts').then((r) => r.default),
  },
})
