import { defineCommand } from 'citty'
import { installFiles, systemdFiles } from '../../../deploy/systemd/index.ts'
import { confirm, guard, yesArg } from '../../_shared.ts'
import { optionsFromArgs, unitArgs } from './_args.ts'

const install = defineCommand({
  meta: { name: 'install', description: 'Write the units, the sysusers.d user and the per-colour environment files; reload systemd when it runs here' },
  args: {
    ...yesArg,
    root: { type: 'string', description: 'write everything below this folder instead of / (an image being built, a test)', default: '/' },
    dir: { type: 'string', description: 'folder for the units, below --root', default: '/etc/systemd/system' },
    ...unitArgs,
  },
  run: ({ args }) =>
    guard(async () => {
        const files = systemdFiles(await optionsFromArgs(args), args.dir)
        if (!(await confirm(`Write ${files.length} system files below ${args.root}?`, args.yes))) return 1
        const r = installFiles(files, { root: args.root })
        for (const f of r.written) process.stdout.write(`wrote  ${f}\n`)
        for (const f of r.kept) process.stdout.write(`kept   ${f} (already there)\n`)
        for (const c of r.ran) process.stdout.write(`ran    ${c}\n`)
        if (r.skipped) process.stdout.write(`not run: systemd-sysusers, systemctl daemon-reload: ${r.skipped}\n`)
        process.stdout.write('next: systemctl enable --now xrayops-gateway.service xrayops-validate.timer; xrayops deploy --systemd --environment blue --version X\n')
      }),
})

export default install
