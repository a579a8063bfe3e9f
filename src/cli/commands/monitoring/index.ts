import { defineCommand } from 'citty'

export default defineCommand({
  meta: { name: 'monitoring', description: 'Run Prometheus and Alertmanager on this host with the shipped rules (systemd units, or background processes)' },
  subCommands: {
    up: () => import('./up.ts').then((r) => r.default),
    down: () => import('./down.ts').then((r) => r.default),
    status: () => import('./status.ts').then((r) => r.default),
  },
})
