import { defineCommand } from 'citty'

export default defineCommand({
  meta: { name: 'token', description: 'Bearer tokens for the gateway admin API (scope admin) and, when required, predictions (scope predict)' },
  subCommands: {
    create: () => import('./create.ts').then((r) => r.default),
    list: () => import('./list.ts').then((r) => r.default),
    revoke: () => import('./revoke.ts').then((r) => r.default),
  },
})
