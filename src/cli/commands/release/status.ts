import { defineCommand } from 'citty'
import { status } from '../../../deploy/services.ts'
import { guard } from '../../_shared.ts'
import { table } from '../../table.ts'
import { printJson, releaseArgs, withRelease } from './_shared.ts'

export default defineCommand({
  meta: { name: 'status', description: 'Colours, versions, ports, pids, readiness, the live colour, the gateway, and the last events' },
  args: {
    events: { type: 'string', description: 'how many recent events to show', default: '10' },
    ...releaseArgs,
  },
  run: ({ args }) =>
    guard(async () => {
      const n = Number(args.events)
      const r = await withRelease(args, null, (rc) => status(rc, Number.isInteger(n) && n >= 0 ? n : 10))
      if (args.json) return void printJson(r)
      const g = r.gateway
      const gw = g.view ? `${g.view.ready ? 'ready' : `down: ${g.view.reason}`} (routes to ${g.view.live ?? 'nothing'}, generation ${g.view.generation})` : (g.error ?? 'not answering')
      const rows = [
        ['', 'colour', 'model', 'port', 'pid', 'process', 'state', 'ready', 'in flight'],
        ...r.colours.map((c) => [
          c.live ? '*' : '',
          c.colour,
          c.version ? `${c.name}@${c.version}` : '-',
          c.port === null ? '-' : String(c.port),
          c.service?.pid ? String(c.service.pid) : '-',
          c.service ? `${c.service.state}${c.runner === 'systemd' ? ' (systemd)' : ''}` : '-',
          c.state,
          c.ready ? 'ready' : c.url ? `no: ${c.why}` : '-',
          c.inFlight === null ? '-' : String(c.inFlight),
        ]),
      ]
      const lines = [
        `live colour  ${r.live ?? 'none'} (generation ${r.generation}, since ${r.updatedAt})${r.lastGood ? `; last good ${r.lastGood}` : ''}`,
        `gateway      ${g.url}  ${g.service.pid ? `pid ${g.service.pid}, ` : ''}${g.service.state}; ${gw}`,
        '',
        table(rows),
        '',
        'last events',
        ...r.events.map((e) => `  ${e.at}  ${e.action.padEnd(17)} ${e.subject.padEnd(12)} ${e.actor}${e.reason ? `  (${e.reason})` : ''}`),
      ]
      process.stdout.write(`${lines.join('\n')}\n`)
    }),
})
