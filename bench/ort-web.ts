import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { root } from './root.ts'

type Reply =
  | { type: 'ready'; createMs: number; firstRunMs: Record<number, number> }
  | { type: 'result'; ms: number; logits: Float32Array }
  | { type: 'error'; message: string }

/** onnxruntime-web (wasm backend, `import 'onnxruntime-web'`) in a child process; see ort-web-child.ts. */
export class OrtWebChild {
  private pending?: { resolve: (r: Reply) => void; reject: (e: Error) => void }
  private constructor(private readonly child: ChildProcess, readonly ready: { createMs: number; firstRunMs: Record<number, number> }) {}

  static async start(opts: { threads: number; liftoffOnly: boolean; model: Uint8Array; inputs: Record<number, Float32Array> }): Promise<OrtWebChild> {
    // From the sources the child runs through tsx; from a bundle (scripts/gpu-check.sh) it is ort-web-child.mjs beside it.
    const bundled = import.meta.url.endsWith('.mjs')
    const register = pathToFileURL(path.join(root, 'bin', 'register.mjs')).href
    const script = fileURLToPath(new URL(bundled ? './ort-web-child.mjs' : './ort-web-child.ts', import.meta.url))
    const child = fork(script, [], {
      execArgv: [...(bundled ? [] : ['--import', register]), ...(opts.liftoffOnly ? ['--liftoff-only'] : [])],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const waiter = { resolve: (_: Reply) => {}, reject: (_: Error) => {} }
    const first = new Promise<Reply>((resolve, reject) => Object.assign(waiter, { resolve, reject }))
    let handle: OrtWebChild | undefined
    child.on('message', (r: Reply) => (handle ? handle.settle(r) : waiter.resolve(r)))
    child.on('exit', (code) => {
      const e = new Error(`onnxruntime-web child exited (${code})`)
      if (handle) handle.pending?.reject(e)
      else waiter.reject(e)
    })
    child.send({ type: 'init', model: opts.model, threads: opts.threads, inputs: opts.inputs })
    const r = await first
    if (r.type !== 'ready') {
      child.kill()
      throw new Error(`onnxruntime-web child failed: ${r.type === 'error' ? r.message : r.type}`)
    }
    handle = new OrtWebChild(child, r)
    return handle
  }

  private settle(r: Reply) {
    const p = this.pending
    this.pending = undefined
    if (r.type === 'error') p?.reject(new Error(r.message))
    else p?.resolve(r)
  }

  /** One session.run of batch `n`, timed in the child. */
  run(n: number): Promise<{ ms: number; logits: Float32Array }> {
    if (this.pending) throw new Error('one run at a time')
    return new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject }
      this.child.send({ type: 'run', n })
    }).then((r) => r as Extract<Reply, { type: 'result' }>)
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve()
      const timer = setTimeout(() => this.child.kill(), 5000)
      this.child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      this.child.send({ type: 'exit' })
    })
  }
}
