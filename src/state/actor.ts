import os from 'node:os'

/** Who runs this command, for the history: the OS user name (or uid when it has none). */
export function osActor(): string {
  try {
    return os.userInfo().username
  } catch {
    return process.env.USER || `uid ${process.getuid?.() ?? '?'}`
  }
}
