import { defineCommand } from 'citty'
import { createBackup, listBackups, readManifest } from '../../backup/index.ts'
import { guard, jsonArg, settingArgs } from '../_shared.ts'
import { stateArgs } from '../state.ts'
import { table } from '../table.ts'
import { backupPlaces, contentsText, mib } from './backup/_shared.ts'

export default defineCommand({
  meta: {
    name: 'backup',
    description: 'Back up the state folder while xrayops runs: the database (SQLite online backup), the model store, the tokens and the config file, with a checksummed manifest',
  },
  args: {
    to: { type: 'string', description: 'the folder that receives the backup (default: backup.dir, else <state>/backups); the backup is <folder>/<UTC time>/' },
    list: { type: 'boolean', description: 'list the backups in the backups folder instead', default: false },
    ...settingArgs('backup'),
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const { loaded, stateDir, backupDir } = await backupPlaces(args.to ? { ...args, 'backup-dir': args.to } : args)
      if (args.list) {
        const rows = listBackups(backupDir).map((b) => {
          try {
            const m = readManifest(b.dir)
            return { name: b.name, dir: b.dir, created_at: m.created_at, complete: true, bytes: m.files.reduce((s, f) => s + f.bytes, 0), contents: m.contents }
          } catch (e) {
            return { name: b.name, dir: b.dir, created_at: b.startedAt.toISOString(), complete: false, problem: (e as Error).message }
          }
        })
        if (args.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
        if (!rows.length) return void process.stdout.write(`no backups in ${backupDir}\n`)
        process.stdout.write(`${table([['BACKUP', 'CREATED (UTC)', 'SIZE', 'CONTENTS'], ...rows.map((r) => [r.name, r.created_at, 'bytes' in r ? mib(r.bytes!) : '-', 'contents' in r ? contentsText(r.contents!) : `UNUSABLE: ${r.problem}`])])}\n`)
        return
      }
      const r = await createBackup({ stateDir, backupDir, configFile: loaded.file, keep: loaded.config.backup.keep })
      if (args.json) return void process.stdout.write(`${JSON.stringify({ dir: r.dir, bytes: r.bytes, pruned: r.pruned, manifest: r.manifest }, null, 2)}\n`)
      process.stdout.write(`backup written: ${r.dir}\n  ${r.manifest.files.length} files, ${mib(r.bytes)}: ${contentsText(r.manifest.contents)}; schema ${r.manifest.schema_version}${r.manifest.config ? `; config ${r.manifest.config.source}` : ''}\n`)
      if (r.pruned.length) process.stdout.write(`  removed ${r.pruned.length} older backup(s) (backup.keep ${loaded.config.backup.keep}): ${r.pruned.join(', ')}\n`)
    }),
})
