import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { baseManifests, colourManifests, FILE_HEADER, IMAGE, type K8sObject, k8sDefaults, kubectlApply, toYaml } from '../../src/deploy/kubernetes/index.ts'
import { freePort } from '../helpers/process.ts'
import { describeWith, tool } from '../helpers/require.ts'
import { unknownFields, validate } from '../helpers/k8s-schema.ts'

// biome-ignore lint: manifests are checked as plain JSON
type Obj = any
const k8sDir = 'k8s'
const docsOf = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean)
const onDisk = () => fs.readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f)).sort()
const all = (): { from: string; obj: Obj }[] => onDisk().flatMap((f) => docsOf(fs.readFileSync(path.join(k8sDir, f), 'utf8')).map((obj) => ({ from: f, obj })))
const find = (kind: string, name: string) => all().find((x) => x.obj.kind === kind && x.obj.metadata.name === name)!.obj
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v)
const generatedColours = () => [...colourManifests(k8sDefaults(), 'blue', '2.0.0'), ...colourManifests(k8sDefaults(), 'green', 'v1.9.0', false)]

describe('k8s/ manifests', () => {
  it('are exactly what `xrayops k8s print --out k8s` generates (they cannot drift from the generator)', () => {
    const files = baseManifests(k8sDefaults(), fs.readFileSync('deployment/config.yaml', 'utf8'))
    expect(onDisk()).toEqual(files.map((f) => f.file))
    for (const f of files) expect(fs.readFileSync(path.join(k8sDir, f.file), 'utf8'), f.file).toBe(FILE_HEADER + toYaml(f.objects))
  })

  it('the ConfigMap carries deployment/config.yaml byte for byte', () => {
    const cm = find('ConfigMap', 'xrayops-config')
    expect(cm.data['config.yaml']).toBe(fs.readFileSync('deployment/config.yaml', 'utf8'))
    // and the model servers read it where the image's layout puts it
    const c = find('Deployment', 'model-server').spec.template.spec.containers[0]
    const mount = c.volumeMounts.find((m: Obj) => m.name === 'config')
    expect(c.args).toEqual(['serve', '--config', `${mount.mountPath}/config.yaml`])
  })

  it('every object, and every generated blue/green object, is valid for its Kubernetes API type with no unknown fields', async () => {
    const objects = [...all().map((x) => x.obj), ...generatedColours()]
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'Deployment', 'Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'HorizontalPodAutoscaler', 'HorizontalPodAutoscaler', 'Namespace', 'PodDisruptionBudget', 'PodDisruptionBudget', 'Service', 'Service', 'Service'].sort(),
    )
    for (const o of objects) {
      await expect(validate(o), `${o.kind} ${o.metadata.name}`).resolves.toBeUndefined()
      expect(unknownFields(o), `${o.kind} ${o.metadata.name}`).toEqual([])
    }
  })

  it('the checks catch a wrong type, a missing required field and unknown fields', async () => {
    const d = structuredClone(find('Deployment', 'model-server'))
    const c = d.spec.template.spec.containers[0]
    c.ports[0].containerPort = '8000'
    await expect(validate(d)).rejects.toThrow(/containerPort must be integer/)
    c.ports[0].containerPort = 8000
    delete c.name
    await expect(validate(d)).rejects.toThrow(/containers\/0 must have required property name/)
    c.name = 'model-server'
    c.readinessprobe = c.readinessProbe
    c.resources.requets = {}
    d.metadata.lables = {}
    c.startupProbe.httpGet.pth = '/'
    expect(unknownFields(d).sort()).toEqual(
      ['.metadata.lables', '.spec.template.spec.containers[0].readinessprobe', '.spec.template.spec.containers[0].resources.requets', '.spec.template.spec.containers[0].startupProbe.httpGet.pth'].sort(),
    )
  })

  it('namespace mlops first; every other object in it', () => {
    expect(onDisk()[0]).toBe('00-namespace.yaml')
    expect(find('Namespace', 'mlops')).toBeTruthy()
    for (const { obj } of all().filter((x) => x.obj.kind !== 'Namespace')) expect(obj.metadata.namespace, `${obj.kind} ${obj.metadata.name}`).toBe('mlops')
  })

  it('model-server: a GPU, the three probes on the health listener, a preStop and a grace period longer than the drain', () => {
    const pod = find('Deployment', 'model-server').spec.template.spec
    const c = pod.containers[0]
    expect(c.resources.requests['nvidia.com/gpu']).toBe('1')
    expect(c.resources.limits['nvidia.com/gpu']).toBe('1')
    expect(c.readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 'health' })
    expect(c.livenessProbe.httpGet).toEqual({ path: '/v2/health/live', port: 'health' })
    expect(c.startupProbe.httpGet.path).toBe('/v2/health/live')
    expect(c.env).toContainEqual({ name: 'XRAYOPS_HEALTH_PORT', value: '9000' })
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300)
    const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value]))
    const drain = Number(env.XRAYOPS_SHUTDOWN_TIMEOUT_MS) / 1000
    const preStop = Number(c.lifecycle.preStop.exec.command[1])
    expect(c.lifecycle.preStop.exec.command[0]).toBe('/bin/sleep')
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + drain)
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })
    const cacheMount = c.volumeMounts.find((m: Obj) => m.mountPath === env.XRAYOPS_CACHE_DIR)
    expect(pod.volumes.find((v: Obj) => v.name === cacheMount.name).emptyDir).toBeTruthy()
    expect(c.ports).toEqual([
      { name: 'http', containerPort: Number(env.PORT), protocol: 'TCP' },
      { name: 'health', containerPort: Number(env.XRAYOPS_HEALTH_PORT), protocol: 'TCP' },
    ])
  })

  it('`kubectl scale deployment model-server --replicas=3 -n mlops` is within the HPA; PDBs and Services select the right pods', () => {
    const hpa = find('HorizontalPodAutoscaler', 'model-server')
    expect(hpa.apiVersion).toBe('autoscaling/v2')
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'model-server' })
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(3)
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(3)
    for (const name of ['model-server', 'gateway']) {
      const dep = find('Deployment', name)
      const labels = dep.spec.template.metadata.labels
      expect(matches(dep.spec.selector.matchLabels, labels)).toBe(true)
      expect(matches(find('PodDisruptionBudget', name).spec.selector.matchLabels, labels)).toBe(true)
      const svc = find('Service', name)
      expect(matches(svc.spec.selector, labels)).toBe(true)
      expect(dep.spec.template.spec.containers[0].ports.map((p: Obj) => p.name)).toContain(svc.spec.ports[0].targetPort)
    }
  })
})

describe('blue/green on Kubernetes', () => {
  const o = k8sDefaults()
  const [blue, blueHpa, svc] = colourManifests(o, 'blue', 'v2.0.0') as Obj[]
  const [green] = colourManifests(o, 'green', '1.9.0', false) as Obj[]
  const base = find('Deployment', 'model-server')

  it('one Deployment per colour, labelled with colour and model version; the Service switch selects only that colour', () => {
    expect(blue.metadata.name).toBe('model-server-blue')
    expect(blue.spec.template.metadata.labels).toMatchObject({ colour: 'blue', 'xrayops.io/model-version': '2.0.0' })
    expect(blueHpa.spec.scaleTargetRef.name).toBe('model-server-blue')
    expect(svc).toMatchObject({ kind: 'Service', metadata: { name: 'model-server' } })
    expect(matches(svc.spec.selector, blue.spec.template.metadata.labels)).toBe(true)
    expect(matches(svc.spec.selector, green.spec.template.metadata.labels)).toBe(false)
    expect(matches(svc.spec.selector, base.spec.template.metadata.labels)).toBe(false)
    // The k8s/ Service (no colour) reaches every model server.
    for (const d of [base, blue, green]) expect(matches(find('Service', 'model-server').spec.selector, d.spec.template.metadata.labels)).toBe(true)
  })

  it("no pod matches two Deployments' selectors (controllers would fight over them)", () => {
    const deps = [base, blue, green]
    for (const a of deps) for (const b of deps) if (a !== b) expect(matches(a.spec.selector.matchLabels, b.spec.template.metadata.labels), `${a.metadata.name} vs ${b.metadata.name}`).toBe(false)
  })

  it('refuses a bad colour or version', () => {
    expect(() => colourManifests(o, 'Blue')).toThrow(/colour "Blue" is not valid/)
    expect(() => colourManifests(o, 'blue', 'latest')).toThrow(/version "latest" is not valid/)
  })
})

describe('Dockerfile', () => {
  const text = fs.readFileSync('Dockerfile', 'utf8')
  const lines = text.replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim() && !l.startsWith('#'))
  const instr = (name: string) => lines.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim())
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'))

  it('packages the single executable; the manifests name the image it is tagged as', () => {
    expect(instr('COPY')).toContain('dist/xrayops /usr/local/bin/xrayops')
    expect(instr('ENTRYPOINT')).toEqual(['["/usr/local/bin/xrayops"]'])
    expect(text).toContain(`docker build -t ${IMAGE} .`)
    expect(instr('LABEL')[0]).toContain(`org.opencontainers.image.version="${pkg.version}"`)
    expect(IMAGE).toBe(`xrayops:${pkg.version}`)
    for (const name of ['model-server', 'gateway']) {
      const c = find('Deployment', name).spec.template.spec.containers[0]
      expect(c.image).toBe(IMAGE)
      expect(c.command).toBeUndefined() // the image's ENTRYPOINT runs
      expect(['serve', 'gateway']).toContain(c.args[0])
    }
  })

  it('runs as the non-root user the manifests expect, with a health check and the GPU libraries', () => {
    const uid = find('Deployment', 'model-server').spec.template.spec.securityContext.runAsUser
    expect(instr('USER')).toEqual([`${uid}:${uid}`])
    expect(instr('HEALTHCHECK')[0]).toMatch(/CMD xrayops health --url/)
    for (const p of ['libvulkan1', 'libegl1', 'libglvnd0', 'libopengl0', 'libgl1', 'libglx0', 'libgles2']) expect(text).toContain(` ${p}`)
  })

  it("copies files that exist (dist/xrayops is the build's output), lets them through .dockerignore, and the config's model (the shipped one, embedded) is in the image", () => {
    const build = fs.readFileSync('build.config.ts', 'utf8')
    expect(build).toMatch(/output: 'dist\/xrayops'/)
    const allowed = fs.readFileSync('.dockerignore', 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1))
    const dests: string[] = []
    for (const c of instr('COPY')) {
      const parts = c.split(/\s+/)
      const dest = parts.pop()!
      for (const src of parts) {
        if (src !== 'dist/xrayops') expect(fs.existsSync(src), src).toBe(true)
        expect(allowed, src).toContain(src)
        dests.push(dest.endsWith('/') ? path.posix.join(dest, path.posix.basename(src)) : dest)
      }
    }
    // Unset, the executable serves the shipped model it embeds; a path set in the file must be in the image.
    const model = parse(fs.readFileSync('deployment/config.yaml', 'utf8')).model.path
    if (model) expect(dests).toContain(path.posix.resolve('/opt/xrayops/deployment', model))
    else expect(fs.readFileSync('build.config.ts', 'utf8')).toMatch(/group: 'models'/)
  })
})

describe('xrayops k8s print', async () => {
  const { execFile } = await import('node:child_process')
  const { promisify } = await import('node:util')
  const { bin } = await import('../helpers/process.ts')
  const xrayops = (...args: string[]) =>
    promisify(execFile)(process.execPath, [bin, ...args]).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    )

  it('--colour prints that colour and the Service switch; --no-switch leaves the Service out', async () => {
    const r = await xrayops('k8s', 'print', '--colour', 'green', '--version', '2.1.0', '--image', 'registry.example/xrayops:0.1.0')
    expect(r.code, r.stderr).toBe(0)
    const docs = docsOf(r.stdout)
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Deployment/model-server-green', 'HorizontalPodAutoscaler/model-server-green', 'Service/model-server'])
    expect(docs[0].spec.template.spec.containers[0].image).toBe('registry.example/xrayops:0.1.0')
    expect(docs[2].spec.selector.colour).toBe('green')
    const quiet = await xrayops('k8s', 'print', '--colour', 'green', '--no-switch')
    expect(docsOf(quiet.stdout).map((d) => d.kind)).toEqual(['Deployment', 'HorizontalPodAutoscaler'])
  })

  it('without --colour prints the k8s/ set; usage mistakes exit 1', async () => {
    const r = await xrayops('k8s', 'print')
    expect(docsOf(r.stdout)).toEqual(all().map((x) => x.obj))
    const bad = await xrayops('k8s', 'print', '--colour', 'blue', '--version', 'latest')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/--version "latest" is not valid/)
  })
})

describeWith(tool('kubectl', 'apt-get install kubernetes-client', ['version', '--client']), 'kubectlApply', () => {
  it('an unreachable cluster is a SERVICE_FAILED error carrying kubectl\'s reason', async () => {
    const port = await freePort()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-kube-'))
    const kubeconfig = path.join(dir, 'config')
    fs.writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n`,
    )
    const err = await kubectlApply(toYaml(colourManifests(k8sDefaults(), 'blue') as K8sObject[]), { kubeconfig }).catch((e) => e)
    expect(err.code).toBe('SERVICE_FAILED')
    expect(err.message).toMatch(new RegExp(`^kubectl --kubeconfig \\S+ apply -f - failed \\(exit 1\\): .*127\\.0\\.0\\.1:${port}.*connection refused`, 's'))
    fs.rmSync(dir, { recursive: true })
  })
})
