import { defineCommand } from 'citty'
import { describeConfig, formatConfig } from '../../config/describe.ts'
import { flagsFromArgs } from '../../config/flags.ts'
import { loadConfig } from '../../config/load.ts'
import { guard, jsonArg, settingArgs } from '../_shared.ts'

const print = defineCommand({
  meta: { name: 'print', description: 'Print every effective server setting and where it came from (default, file, env, flag)' },
  args: {
    config: { type: 'string', description: 'config file (default: $XRAYOPS_CONFIG, else ./deployment/config.yaml if it exists)' },
    ...jsonArg,
    ...settingArgs,
  },
  run: ({ args }) =>
    guard(async () => {
      const loaded = await loadConfig({ configPath: args.config, flags: flagsFromArgs(args) })
      if (!args.json) return void process.stdout.write(`${formatConfig(loaded)}\n`)
      const values = Object.fromEntries(describeConfig(loaded).map(({ key, ...row }) => [key, row]))
      process.stdout.write(`${JSON.stringify({ file: loaded.file ?? null, config: loaded.config, values }, null, 2)}\n`)
    }),
})

export default defineCommand({
  meta: { name: 'config', description: "The model server's configuration (deployment/config.yaml, environment, flags)" },
  subCommands: { print },
})
