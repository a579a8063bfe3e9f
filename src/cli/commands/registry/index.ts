import { defineCommand } from 'citty'

export default defineCommand({
  meta: { name: 'registry', description: 'Registered model versions: register, list, info, archive, history' },
  subCommands: {
    register: () => import('./register.ts').then((r) => r.default),
    list: () => import('./list.ts').then((r) => r.default),
    info: () => import('./info.ts').then((r) => r.default),
    archive: () => import('./archive.ts').then((r) => r.default),
    history: () => import('./history.ts').then((r) => r.default),
  },
})
