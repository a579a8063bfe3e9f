import { defineCommand } from 'citty'
import { guard, settingArgs, usageError, yesArg } from '../_shared.ts'
import { contentsText } from './backup/_shared.ts'
import { restoreFlow } from './backup/restore-flow.ts'
import { releaseArgs } from './release/_shared.ts'

export const restoreArgs = {
  'from-backup': { type: 'string', description: 'latest (the newest complete backup in backup.dir) or a backup folder', required: true },
  'stop-services': { type: 'boolean', description: 'stop the gateway and model servers of this state folder first (as xrayops stop --all does)', default: false },
  ...yesArg,
  ...settingArgs('backup'),
  ...releaseArgs,
} as const

export default defineCommand({
  meta: {
    name: 'restore',
    description: 'Restore the state folder from a backup: every file and the database are checked on a staged copy first; a damaged or partial backup is refused and nothing changes',
  },
  args: {
    ...restoreArgs,
    'dry-run': { type: 'boolean', description: 'check the backup only (every sha256, the database integrity and schema)', default: false },
    'with-config': { type: 'boolean', description: 'also put the backed-up config file back where it was', default: false },
  },
  run: ({ args }) =>
    guard(async () => {
      if (!args['from-backup']) throw usageError('--from-backup latest|PATH is required')
      const say = (l: string) => process.stderr.write(`${l}\n`)
      const { result } = await restoreFlow(args, { spec: args['from-backup'], yes: args.yes, dryRun: args['dry-run'], stopServices: args['stop-services'], withConfig: args['with-config'], say })
      if (args['dry-run']) return void process.stdout.write('the backup is complete and intact (nothing was restored: --dry-run)\n')
      if (!result) return 1
      if (args.json) return void process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
      process.stdout.write(`restored ${result.backup}: ${contentsText(result.contents)}; schema ${result.schema.backup}${result.schema.now !== result.schema.backup ? ` migrated to ${result.schema.now}` : ''}${result.config.restored ? `; config written to ${result.config.to}` : ''}\n`)
    }),
})
