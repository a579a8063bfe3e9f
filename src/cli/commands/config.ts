import { defineCommand } from 'citty'
import { describeConfig, formatConfig } from '../../config/describe.ts'
import { commandConfig, configArg, guard, jsonArg, settingArgs } from '../_shared.ts'

const print = defineCommand({
  meta: { name: 'print', description: 'Print every effective setting, where it came from (default, file, env, flag) and its environment variable' },
  args: {
    ...configArg,
    ...jsonArg,
    ...settingArgs(),
  },
  run: ({ args }) =>
    guard(async () => {
      const loaded = await commandConfig(args)
      if (!args.json) return void process.stdout.write(`${formatConfig(loaded)}\n`)
      const values = Object.fromEntries(describeConfig(loaded).map(({ key, ...row }) => [key, row]))
      process.stdout.write(`${JSON.stringify({ file: loaded.file ?? null, config: loaded.config, values }, null, 2)}\n`)
    }),
})

export default defineCommand({
  meta: { name: 'config', description: "xrayops' configuration (deployment/config.yaml, environment, flags)" },
  subCommands: { print },
})
