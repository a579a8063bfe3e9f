import fs from 'node:fs'
import path from 'node:path'
import { defineCommand } from 'citty'
import { baseManifests, colourManifests, FILE_HEADER, k8sDefaults, toYaml } from '../../../deploy/kubernetes/index.ts'
import { loadConfig } from '../../../config/load.ts'
import { isXrayError } from '../../../errors/index.ts'
import { guard, UsageError } from '../../_shared.ts'

const d = k8sDefaults()

const print = defineCommand({
  meta: {
    name: 'print',
    description: 'Print the Kubernetes manifests: the k8s/ set (namespace, ConfigMap, Deployments, Services, HPA, PDBs), or with --colour one blue/green colour and the Service switch',
  },
  args: {
    colour: { type: 'string', description: 'blue/green: the model-server-COLOUR Deployment and its HPA' },
    version: { type: 'string', description: 'with --colour: the model version, recorded as a label' },
    switch: { type: 'boolean', description: 'with --colour: also the model-server Service, switched to that colour (--no-switch leaves traffic alone)', default: true },
    image: { type: 'string', description: 'container image', default: d.image },
    namespace: { type: 'string', description: 'namespace', default: d.namespace },
    config: { type: 'string', description: 'config file the ConfigMap carries', default: 'deployment/config.yaml' },
    out: { type: 'string', description: 'write the k8s/ set as files into this folder instead of printing it' },
  },
  run: ({ args }) =>
    guard(async () => {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.namespace)) throw new UsageError(`--namespace "${args.namespace}" is not a valid namespace name`)
      if (!/^\S+$/.test(args.image)) throw new UsageError(`--image "${args.image}" is not an image reference`)
      // The gateway's port is the configuration's gateway.port (8080 unless set).
      const { config } = await loadConfig()
      const o = { ...d, image: args.image, namespace: args.namespace, gatewayPort: config.gateway.port }
      if (args.colour !== undefined) {
        if (args.out) throw new UsageError('--out writes the k8s/ set; print a colour to stdout (or pipe it to kubectl apply -f -)')
        try {
          return void process.stdout.write(toYaml(colourManifests(o, args.colour, args.version, args.switch)))
        } catch (e) {
          if (isXrayError(e) && e.code === 'CONFIG_INVALID') throw new UsageError(e.message.replace(/^(colour|version)/, '--$1'))
          throw e
        }
      }
      if (args.version !== undefined) throw new UsageError('--version goes with --colour')
      if (!fs.existsSync(args.config)) throw new UsageError(`--config "${args.config}" does not exist (the ConfigMap carries that file)`)
      const files = baseManifests(o, fs.readFileSync(args.config, 'utf8'))
      if (!args.out) return void process.stdout.write(files.map((f) => toYaml(f.objects)).join('---\n'))
      fs.mkdirSync(args.out, { recursive: true })
      for (const f of files) {
        fs.writeFileSync(path.join(args.out, f.file), FILE_HEADER + toYaml(f.objects))
        process.stdout.write(`wrote ${path.join(args.out, f.file)}\n`)
      }
    }),
})

export default print
