import { defineCommand } from 'citty'
import { recordedColours, redeployRecorded, validateRecovered } from '../../deploy/redeploy.ts'
import { checkSystemd, systemdTarget } from '../../deploy/systemd-deploy.ts'
import { guard, usageError } from '../_shared.ts'
import { restoreArgs } from './restore.ts'
import { restoreFlow } from './backup/restore-flow.ts'
import { contentsText } from './backup/_shared.ts'
import { printJson, withRelease } from './release/_shared.ts'

// recover always stops the services of the state folder: restore's --stop-services is not offered.
const { 'stop-services': _always, ...recoverArgs } = restoreArgs

export default defineCommand({
  meta: {
    name: 'recover',
    description:
      'Emergency recovery: restore the state folder from a backup (checked first; the services of this state folder are stopped), deploy the recorded versions again (the live colour, and the idle one if it was ready), then health-check them and the gateway; exit 0 only when all of it passed',
  },
  args: { ...recoverArgs, 'with-config': { type: 'boolean', description: 'also put the backed-up config file back where it was', default: false } },
  run: ({ args }) =>
    guard(async () => {
      if (!args['from-backup']) throw usageError('--from-backup latest|PATH is required')
      const say = (l: string) => process.stderr.write(`${l}\n`)
      const { staged, result } = await restoreFlow(args, {
        spec: args['from-backup'],
        yes: args.yes,
        stopServices: true,
        withConfig: args['with-config'],
        question: 'Recover from this backup: stop the services of this state folder, replace its database, model store and tokens with the backup, and deploy the recorded versions again? What was written since the backup is lost.',
        say,
      })
      if (!result) return 1
      say(`restored ${result.backup}: ${contentsText(result.contents)}`)
      const outcome = await withRelease(args, `recover from ${staged.manifest.created_at}`, async (rc) => {
        rc.say = say
        const { run, skipped } = recordedColours(rc)
        // Services recorded as systemd units come back as units.
        if (!rc.systemd && run.some((e) => e.runner === 'systemd')) {
          rc.systemd = systemdTarget({ configDir: args['systemd-config-dir'] })
          checkSystemd(rc.systemd)
        }
        for (const s of skipped) say(`${s.colour}: skipped (${s.detail})`)
        const steps = await redeployRecorded(rc, run, `recover from backup ${staged.manifest.created_at}`)
        const validation = await validateRecovered(
          rc,
          steps.filter((s) => s.action === 'deployed').map((s) => s.colour),
        )
        return { steps: [...steps, ...skipped], validation }
      })
      const ok = outcome.steps.every((s) => s.action !== 'failed') && outcome.validation.ok
      if (args.json) printJson({ ok, restore: result, ...outcome })
      else {
        for (const s of outcome.steps) process.stdout.write(`${s.action.padEnd(9)}${s.colour.padEnd(7)}${s.model ?? '-'}  ${s.detail}\n`)
        for (const c of outcome.validation.checks) process.stdout.write(`${c.ok ? 'pass' : 'FAIL'}  ${(c.colour ? `${c.colour} ${c.name}` : c.name).padEnd(18)}${c.detail}\n`)
        process.stdout.write(ok ? 'recovered: the recorded versions run and pass their checks\n' : 'recovery incomplete: see the failures above\n')
      }
      return ok ? 0 : 1
    }),
})
