import { defineCommand } from 'citty'

export default defineCommand({
  meta: { name: 'systemd', description: 'systemd units for the gateway, the model servers (one per colour) and the validation timer' },
  subCommands: {
    print: () => import('./print.ts').then((r) => r.default),
    install: () => import('./install.ts').then((r) => r.default),
  },
})
