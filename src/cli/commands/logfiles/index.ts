// The group's folder is logfiles/, not logs/: the repository ignores folders named logs/.
import { defineCommand } from 'citty'

export default defineCommand({
  meta: { name: 'logs', description: 'Log retention' },
  subCommands: {
    clean: () => import('./clean.ts').then((r) => r.default),
  },
})
