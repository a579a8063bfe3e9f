import { defineCommand, runMain } from 'citty'
import pkg from '../../package.json' with { type: 'json' }

export const main = defineCommand({
  meta: { name: 'xrayops', version: pkg.version, description: 'Chest X-ray pneumonia detection server and its operations CLI' },
  subCommands: {
    serve: () => import('./commands/serve.ts').then((r) => r.default),
    eval: () => import('./commands/eval.ts').then((r) => r.default),
    config: () => import('./commands/config.ts').then((r) => r.default),
    health: () => import('./commands/health.ts').then((r) => r.default),
    metrics: () => import('./commands/metrics.ts').then((r) => r.default),
    bench: () => import('./commands/bench.ts').then((r) => r.default),
    version: () => import('./commands/version.ts').then((r) => r.default),
    systemd: () => import('./commands/systemd/index.ts').then((r) => r.default),
    k8s: () => import('./commands/k8s/index.ts').then((r) => r.default),
    monitoring: () => import('./commands/monitoring/index.ts').then((r) => r.default),
    registry: () => import('./commands/registry/index.ts').then((r) => r.default),
    token: () => import('./commands/token/index.ts').then((r) => r.default),
    audit: () => import('./commands/audit.ts').then((r) => r.default),
    drift: () => import('./commands/drift.ts').then((r) => r.default),
    data: () => import('./commands/data/index.ts').then((r) => r.default),
    gateway: () => import('./commands/gateway.ts').then((r) => r.default),
    deploy: () => import('./commands/release/deploy.ts').then((r) => r.default),
    'health-check': () => import('./commands/release/health-check.ts').then((r) => r.default),
    'switch-traffic': () => import('./commands/release/switch-traffic.ts').then((r) => r.default),
    rollback: () => import('./commands/release/rollback.ts').then((r) => r.default),
    'deploy-model': () => import('./commands/release/deploy-model.ts').then((r) => r.default),
    'rollback-model': () => import('./commands/release/rollback-model.ts').then((r) => r.default),
    restart: () => import('./commands/release/restart.ts').then((r) => r.default),
    stop: () => import('./commands/release/stop.ts').then((r) => r.default),
    status: () => import('./commands/release/status.ts').then((r) => r.default),
    backup: () => import('./commands/backup.ts').then((r) => r.default),
    restore: () => import('./commands/restore.ts').then((r) => r.default),
    recover: () => import('./commands/recover.ts').then((r) => r.default),
    logs: () => import('./commands/logfiles/index.ts').then((r) => r.default),
    validate: () => import('./commands/validate.ts').then((r) => r.default),
    report: () => import('./commands/report.ts').then((r) => r.default),
    notify: () => import('./commands/notify.ts').then((r) => r.default),
  },
})

export const run = () => runMain(main)
