import { defineCommand } from 'citty'
import { duration, INVALID } from '../../../config/parse.ts'
import { deleteLogs, type LogFile, logFolders, scanLogs } from '../../../ops/log-retention.ts'
import { commandConfig, confirm, configArg, guard, jsonArg, settingArgs, usageError, yesArg } from '../../_shared.ts'
import { stateDirOf } from '../../state.ts'
import { mib } from '../backup/_shared.ts'

const parseAge = duration(100 * 365 * 86_400_000)
const days = (ms: number) => `${(ms / 86_400_000).toFixed(1)} d`
const line = (f: LogFile) => `${f.modified}  ${days(f.ageMs).padStart(8)}  ${mib(f.bytes).padStart(10)}  ${f.path}`

export default defineCommand({
  meta: {
    name: 'clean',
    description:
      'Delete rotated log files (x.log.1, x.log.2.gz, x.log-20261201) older than a duration, in the folder of logging.file, <state>/logs and <state>/monitoring/logs; live logs and files a process has open are never deleted',
  },
  args: {
    'older-than': { type: 'string', description: 'a duration: 7d, 12h, 2w, 90m (last modified before now minus this)', required: true },
    'dry-run': { type: 'boolean', description: 'only list what would be deleted', default: false },
    ...yesArg,
    ...jsonArg,
    ...configArg,
    ...settingArgs('state', 'logging.file'),
  },
  run: ({ args }) =>
    guard(async () => {
      const olderThan = parseAge.parse(args['older-than'])
      if (olderThan === INVALID) throw usageError(`--older-than ${JSON.stringify(args['older-than'])}: expected ${parseAge.allowed}`)
      const loaded = await commandConfig(args)
      const scan = scanLogs(logFolders({ logFile: loaded.config.logging.file, stateDir: stateDirOf(loaded).dir }), olderThan)
      const total = mib(scan.old.reduce((n, f) => n + f.bytes, 0))
      const say = (l: string) => process.stderr.write(`${l}\n`)
      say(`log folders: ${scan.folders.length ? scan.folders.join(', ') : 'none exist'}; live logs kept: ${scan.live.length}`)
      if (args['dry-run'] || scan.old.length === 0) {
        if (args.json) return void process.stdout.write(`${JSON.stringify({ dry_run: args['dry-run'], ...scan, deleted: [] }, null, 2)}\n`)
        for (const f of scan.old) process.stdout.write(`${line(f)}\n`)
        return void process.stdout.write(`${scan.old.length} rotated log file(s) older than ${args['older-than']} (${total})${scan.old.length ? ' would be deleted (--dry-run)' : ''}\n`)
      }
      for (const f of scan.old) say(line(f))
      if (!(await confirm(`Delete these ${scan.old.length} rotated log file(s) (${total})?`, args.yes))) return 1
      const { deleted, failed } = deleteLogs(scan.old)
      if (args.json) process.stdout.write(`${JSON.stringify({ dry_run: false, ...scan, deleted, failed }, null, 2)}\n`)
      else {
        for (const f of failed) process.stdout.write(`not deleted: ${f.path}: ${f.why}\n`)
        process.stdout.write(`deleted ${deleted.length} rotated log file(s) older than ${args['older-than']} (${mib(deleted.reduce((n, f) => n + f.bytes, 0))})\n`)
      }
      return failed.length ? 1 : 0
    }),
})
