import path from 'node:path'
import { defineCommand } from 'citty'
import { systemdFiles } from '../../../deploy/systemd/index.ts'
import { guard, UsageError } from '../../_shared.ts'
import { optionsFromArgs, unitArgs } from './_args.ts'

const print = defineCommand({
  meta: { name: 'print', description: 'Print the systemd units (and the user, environment and config files that install writes)' },
  args: {
    unit: { type: 'string', description: 'print only this file (xrayops-gateway.service, xrayops-model@.service, model-blue.env, ...)' },
    list: { type: 'boolean', description: 'list the files and where install puts them', default: false },
    ...unitArgs,
  },
  run: ({ args }) =>
    guard(async () => {
      const files = systemdFiles(await optionsFromArgs(args))
      if (args.list) return void process.stdout.write(files.map((f) => `${f.path}\n`).join(''))
      if (args.unit !== undefined) {
        const f = files.find((x) => path.basename(x.path) === args.unit || x.path === args.unit)
        if (!f) throw new UsageError(`--unit "${args.unit}" is not one of: ${files.map((x) => path.basename(x.path)).join(', ')}`)
        return void process.stdout.write(f.content)
      }
      process.stdout.write(files.map((f) => `# ==> ${f.path} <==\n${f.content}`).join('\n'))
    }),
})

export default print
