import { defineCommand } from 'citty'
import { deploy } from '../../../deploy/deploy.ts'
import { deployModel } from '../../../deploy/releases.ts'
import { guard, usageError } from '../../_shared.ts'
import { printJson, reasonArg, releaseArgs, withRelease } from './_shared.ts'

export default defineCommand({
  meta: {
    name: 'deploy-model',
    description: 'Release a model version: to production (deploy to the idle colour, health-check it, switch traffic; a failed check never switches), or to blue or green only',
  },
  args: {
    'model-version': { type: 'string', description: 'the registered version (2.0.0 or v2.0.0)', required: true },
    environment: { type: 'string', description: 'production (the live colour: through the idle one), blue or green', default: 'production' },
    name: { type: 'string', description: 'the model name, when several names have this version' },
    ...reasonArg,
    ...releaseArgs,
  },
  run: ({ args }) =>
    guard(async () => {
      const version = args['model-version']
      const env = args.environment
      if (env !== 'production' && env !== 'blue' && env !== 'green') throw usageError(`--environment ${JSON.stringify(env)}: expected production, blue or green`)
      const r = await withRelease(args, `deploy-model ${version} to ${env}`, (rc) =>
        env === 'production' ? deployModel(rc, version, { name: args.name, reason: args.reason }) : deploy(rc, { colour: env, version, name: args.name, reason: args.reason }).then((deployed) => ({ deployed })),
      )
      if (args.json) printJson(r)
      else {
        const s = 'switched' in r ? r.switched : undefined
        process.stdout.write(s ? `live: ${s.to} (${s.version}), generation ${s.generation}\n` : `${r.deployed?.colour}: ${r.deployed?.model.version} ready (not live)\n`)
      }
    }),
})
