/**
 * Where the single executable extracts its native libraries, wasm and model: the first usable of
 * $XRAYOPS_CACHE_DIR, $XDG_CACHE_HOME/xrayops, ~/.cache/xrayops and $TMPDIR/xrayops-<uid>.
 * Usable means: creatable, writable, and not on a `noexec` mount (dlopen refuses those).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { envSetting } from '../config/load.ts'
import { XrayError } from '../errors/index.ts'

/** Mount options of the mount holding `dir`, from /proc/self/mountinfo (null when unknown). */
export function mountOptions(dir: string, mountinfo = readMountinfo()): string[] | null {
  if (!mountinfo) return null
  let best: { point: string; options: string[] } | null = null
  for (const line of mountinfo.split('\n')) {
    // id parent major:minor root mount-point mount-options [optional...] - type source super-options
    const f = line.split(' ')
    if (f.length < 6) continue
    const point = f[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
    const inside = point === '/' || dir === point || dir.startsWith(`${point}/`)
    if (inside && (!best || point.length >= best.point.length)) best = { point, options: f[5].split(',') }
  }
  return best?.options ?? null
}

const readMountinfo = (): string | null => {
  try {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8')
  } catch {
    return null
  }
}

/** Why `dir` cannot hold the extracted files, or null when it can. Creates it when missing. */
export function unusableReason(dir: string, privateDir = false): string | null {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: privateDir ? 0o700 : 0o755 })
    const real = fs.realpathSync(dir)
    if (privateDir) {
      // A shared temp folder: refuse one that another user created for us.
      const st = fs.lstatSync(real)
      if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return 'owned by another user'
    }
    fs.accessSync(real, fs.constants.W_OK | fs.constants.X_OK)
    if (mountOptions(real)?.includes('noexec')) return 'on a noexec mount'
    return null
  } catch (e) {
    return (e as Error).message
  }
}

const candidates = (): { dir: string; privateDir?: boolean }[] => {
  const env = process.env
  const explicit = envSetting('runtime.cacheDir') as string | undefined
  if (explicit) return [{ dir: explicit }]
  const list: { dir: string; privateDir?: boolean }[] = []
  // systemd's CacheDirectory= (also with DynamicUser=) hands the service its own folder here.
  if (env.CACHE_DIRECTORY && path.isAbsolute(env.CACHE_DIRECTORY.split(':')[0])) list.push({ dir: path.join(env.CACHE_DIRECTORY.split(':')[0], 'xrayops') })
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) list.push({ dir: path.join(env.XDG_CACHE_HOME, 'xrayops') })
  let home = ''
  try {
    home = os.homedir()
  } catch {}
  if (home) list.push({ dir: path.join(home, '.cache', 'xrayops') })
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0
  list.push({ dir: path.join(os.tmpdir(), `xrayops-${uid}`), privateDir: true })
  return list
}

/** The cache base folder; the executable extracts into `<base>/<content id>/`. */
export function cacheBase(): string {
  const tried: string[] = []
  for (const c of candidates()) {
    const why = unusableReason(c.dir, c.privateDir)
    if (!why) return c.dir
    tried.push(`${c.dir}: ${why}`)
  }
  throw new XrayError('CONFIG_INVALID', `no folder to extract the native libraries into (set XRAYOPS_CACHE_DIR): ${tried.join('; ')}`)
}
