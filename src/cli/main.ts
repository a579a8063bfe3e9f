import { defineCommand, runMain } from 'citty'
import pkg from '../../package.json' with { type: 'json' }

export const main = defineCommand({
  meta: { name: 'xrayops', version: pkg.version, description: 'Chest X-ray pneumonia detection server and its operations CLI' },
  subCommands: {
    serve: () => import('./commands/serve.ts').then((r) => r.default),
    eval: () => import('./commands/eval.ts').then((r) => r.default),
    config: () => import('./commands/config.ts').then((r) => r.default),
  },
})

export const run = () => runMain(main)
