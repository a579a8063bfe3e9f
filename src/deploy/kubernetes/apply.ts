import { spawn } from 'node:child_process'
import { XrayError } from '../../errors/index.ts'

/** `kubectl apply -f -` with `yaml` on stdin; resolves with kubectl's report, or SERVICE_FAILED with its reason. */
export function kubectlApply(yaml: string, opts: { kubectl?: string; kubeconfig?: string; context?: string; timeoutMs?: number } = {}): Promise<string> {
  const cmd = opts.kubectl ?? 'kubectl'
  const args = [...(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : []), ...(opts.context ? ['--context', opts.context] : []), 'apply', '-f', '-']
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 120_000 })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('error', (e) => reject(new XrayError('SERVICE_FAILED', `${cmd} could not be run: ${e.message}`, { cause: e })))
    child.on('close', (code) => {
      if (code === 0) resolve(out)
      else reject(new XrayError('SERVICE_FAILED', `${cmd} ${args.join(' ')} failed (exit ${code}): ${err.trim() || out.trim()}`))
    })
    child.stdin.on('error', () => {}) // kubectl may exit before reading everything; its exit status says why
    child.stdin.end(yaml)
  })
}
