import { defineCommand } from 'citty'
import { consola } from 'consola'
import { installFiles, systemdFiles } from '../../../deploy/systemd/index.ts'
import { guard } from '../../_shared.ts'
import { UsageError, withUsage } from '../../usage.ts'
import { optionsFromArgs, unitArgs } from './_args.ts'

const install = defineCommand({
  meta: { name: 'install', description: 'Write the units, the sysusers.d user and the per-colour environment files; reload systemd when it runs here' },
  args: {
    yes: { type: 'boolean', description: 'do it without asking (required when not on a terminal)', default: false },
    root: { type: 'string', description: 'write everything below this folder instead of / (an image being built, a test)', default: '/' },
    dir: { type: 'string', description: 'folder for the units, below --root', default: '/etc/systemd/system' },
    ...unitArgs,
  },
  run: ({ args }) =>
    withUsage(install, () =>
      guard(async () => {
        const files = systemdFiles(optionsFromArgs(args), args.dir)
        if (!args.yes) {
          if (!process.stdin.isTTY) throw new UsageError('install writes system files: pass --yes to confirm')
          const ok = await consola.prompt(`Write ${files.length} files below ${args.root}?`, { type: 'confirm', initial: false })
          if (ok !== true) return 1
        }
        const r = installFiles(files, { root: args.root })
        for (const f of r.written) process.stdout.write(`wrote  ${f}\n`)
        for (const f of r.kept) process.stdout.write(`kept   ${f} (already there)\n`)
        for (const c of r.ran) process.stdout.write(`ran    ${c}\n`)
        if (r.skipped) process.stdout.write(`not run: systemd-sysusers, systemctl daemon-reload: ${r.skipped}\n`)
        process.stdout.write('next: systemctl enable --now xrayops-gateway.service xrayops-validate.timer; xrayops deploy --systemd --environment blue --version X\n')
      }),
    ),
})

export default install
