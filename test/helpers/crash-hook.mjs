// Preloaded into a CLI child (`node --import ./test/helpers/crash-hook.mjs bin/xrayops.mjs ...`)
// by the crash tests: XRAYOPS_TEST_PAUSE=<point>:<regex> makes the process stop dead at one point
// of its work, print `PAUSED <what>` on stderr and wait there to be killed (SIGKILL). Points:
//   before-rename:RE  a durable write whose final name matches RE has its data synced, not renamed
//   after-rename:RE   the same, just renamed into place
//   sql:RE            an SQL statement matching RE has just run (inside its transaction, if any)
import fs from 'node:fs'
import { createRequire } from 'node:module'

const spec = process.env.XRAYOPS_TEST_PAUSE ?? ''
const colon = spec.indexOf(':')
const point = spec.slice(0, colon)
const re = new RegExp(spec.slice(colon + 1))

const pause = (what) => {
  fs.writeSync(2, `PAUSED ${what}\n`)
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
}

if (point === 'before-rename' || point === 'after-rename') {
  const rename = fs.renameSync
  fs.renameSync = function renameSync(from, to) {
    const hit = re.test(String(to))
    if (hit && point === 'before-rename') pause(`before rename to ${to}`)
    const r = rename.call(this, from, to)
    if (hit && point === 'after-rename') pause(`after rename to ${to}`)
    return r
  }
} else if (point === 'sql') {
  // The driver src/state/sqlite-drivers.ts picks: node:sqlite on Node >= 24, else better-sqlite3.
  const builtin = Number(process.versions.node.split('.')[0]) >= 24 ? process.getBuiltinModule('node:sqlite') : undefined
  const Database = builtin ? builtin.DatabaseSync : createRequire(import.meta.url)('better-sqlite3')
  const db = new Database(':memory:')
  const Statement = Object.getPrototypeOf(db.prepare('SELECT 1'))
  db.close()
  for (const method of ['run', 'get', 'all']) {
    const original = Statement[method]
    Statement[method] = function (...args) {
      const r = original.apply(this, args)
      const source = builtin ? this.sourceSQL : this.source
      if (re.test(source)) pause(source.replace(/\s+/g, ' ').slice(0, 80))
      return r
    }
  }
} else if (spec) throw new Error(`XRAYOPS_TEST_PAUSE=${spec}: unknown point`)
