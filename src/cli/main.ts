import { defineCommand, runMain } from 'citty'
import pkg from '../../package.json' with { type: 'json' }

export const main = defineCommand({
  meta: { name: 'xrayops', version: pkg.version, description: 'Chest X-ray pneumonia detection server and its operations CLI' },
  subCommands: {
    eval: () => import('./commands/eval.ts').then((r) => r.default),
  },
})

export const run = () => runMain(main)
