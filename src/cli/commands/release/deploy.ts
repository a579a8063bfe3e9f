import { defineCommand } from 'citty'
import { deploy } from '../../../deploy/deploy.ts'
import { colourManifests, k8sDefaults, kubectlApply, toYaml } from '../../../deploy/kubernetes/index.ts'
import { parseVersion } from '../../../registry/names.ts'
import { label } from '../../../registry/records.ts'
import { osActor } from '../../../state/actor.ts'
import { openState } from '../../../state/db.ts'
import { ensureStateDir } from '../../../state/dir.ts'
import { appendEvent } from '../../../state/events.ts'
import { commandConfig, guard, usageError } from '../../_shared.ts'
import { stateDirOf } from '../../state.ts'
import { colourArg, printJson, reasonArg, releaseArgs, withRelease } from './_shared.ts'

const k8s = k8sDefaults()

export default defineCommand({
  meta: {
    name: 'deploy',
    description: "Start (or restart) a colour's model server with a registered version, wait until it is ready, and bring up the gateway; the first colour deployed becomes live",
  },
  args: {
    environment: { type: 'string', description: 'blue or green', required: true },
    version: { type: 'string', description: 'the registered version (2.0.0 or v2.0.0)', required: true },
    name: { type: 'string', description: 'the model name, when several names have this version' },
    force: { type: 'boolean', description: 'also restart the live colour (requests fail while it restarts)', default: false },
    ...reasonArg,
    kubernetes: { type: 'boolean', description: 'print the colour\'s Kubernetes manifests (Deployment, HPA, and the Service switched to it) instead', default: false },
    apply: { type: 'boolean', description: 'with --kubernetes: apply them with kubectl', default: false },
    switch: { type: 'boolean', description: 'with --kubernetes: include the Service switch (--no-switch leaves traffic alone)', default: true },
    image: { type: 'string', description: 'with --kubernetes: the container image', default: k8s.image },
    namespace: { type: 'string', description: 'with --kubernetes: the namespace', default: k8s.namespace },
    ...releaseArgs,
  },
  run: ({ args }) =>
    guard(async () => {
      const colour = colourArg(args.environment)
      if (args.kubernetes) {
        if (args.systemd) throw usageError('--kubernetes and --systemd exclude each other')
        const version = parseVersion(args.version).text
        const yaml = toYaml(colourManifests({ ...k8s, image: args.image, namespace: args.namespace }, colour, version, args.switch))
        if (!args.apply) return void process.stdout.write(yaml)
        process.stdout.write(await kubectlApply(yaml))
        const state = await openState(ensureStateDir(stateDirOf(await commandConfig(args))))
        try {
          appendEvent(state.db, { actor: osActor(), action: 'k8s.apply', subject: colour, reason: args.reason ?? null, details: { version, image: args.image, namespace: args.namespace, switch: args.switch } })
        } finally {
          state.close()
        }
        return
      }
      if (args.apply) throw usageError('--apply goes with --kubernetes')
      const r = await withRelease(args, `deploy ${colour} ${args.version}`, (rc) => deploy(rc, { colour, version: args.version, name: args.name, force: args.force, reason: args.reason }))
      if (args.json) printJson(r)
      else process.stdout.write(`${colour}: ${label(r.model)} ready on port ${r.port}${r.switched ? ', live' : ''}; gateway ${r.gateway}\n`)
    }),
})
