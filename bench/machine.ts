import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { root } from './root.ts'

export interface Machine {
  cpuModel: string
  cpus: number
  /** SIMD flags from /proc/cpuinfo that matter to onnxruntime and libjpeg-turbo. */
  cpuFlags: string[]
  memoryGiB: number
  os: string
  node: string
  /** "none" unless an NVIDIA device node exists; the WebGPU adapter is added by the GPU sections. */
  gpu: string
  adapter?: { description: string; fallback: boolean }
  loadStart: number
  loadEnd: number
  git?: string
  versions: Record<string, string>
}

const pkgVersion = (name: string): string => {
  try {
    return JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version
  } catch {
    return 'missing'
  }
}

const cpuFlags = (): string[] => {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags')) ?? ''
    const have = new Set(line.split(':')[1]?.trim().split(/\s+/))
    return ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni'].filter((f) => have.has(f))
  } catch {
    return []
  }
}

const nvidia = (): string | undefined => {
  try {
    return readdirSync('/dev').some((d) => /^nvidia\d+$/.test(d)) ? 'NVIDIA device present' : undefined
  } catch {
    return undefined
  }
}

const gitHead = (): string | undefined => {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    return dirty ? `${head} (with uncommitted changes)` : head
  } catch {
    return undefined
  }
}

export async function describeMachine(): Promise<Machine> {
  const cpus = os.cpus()
  const sharp = (await import('sharp')).default
  return {
    cpuModel: cpus[0]?.model?.trim() || os.arch(),
    cpus: os.availableParallelism(),
    cpuFlags: cpuFlags(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    gpu: nvidia() ?? (existsSync('/dev/dri') ? 'no NVIDIA device (a /dev/dri node exists)' : 'none'),
    loadStart: os.loadavg()[0],
    loadEnd: NaN,
    git: gitHead(),
    versions: {
      sharp: pkgVersion('sharp'),
      libvips: sharp.versions.vips,
      jimp: pkgVersion('jimp'),
      'jpeg-js': pkgVersion('jpeg-js'),
      'onnxruntime-node': pkgVersion('onnxruntime-node'),
      'onnxruntime-web': pkgVersion('onnxruntime-web'),
      webgpu: pkgVersion('webgpu'),
    },
  }
}
