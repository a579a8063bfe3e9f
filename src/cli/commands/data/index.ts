import { defineCommand } from 'citty'

export default defineCommand({
  meta: { name: 'data', description: 'Checks of the inputs the model receives' },
  subCommands: {
    validate: () => import('./validate.ts').then((r) => r.default),
  },
})
