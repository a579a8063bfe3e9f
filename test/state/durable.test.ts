import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { removeAbandonedTemps, writeFileDurable } from '../../src/state/durable.ts'

let dir: string
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

/** A pid that certainly ran and is gone. */
const deadPid = () => spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout

describe('durable files', () => {
  it('replace the old file whole, with the mode asked for, leaving no temporary file', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-durable-'))
    const file = path.join(dir, 'tokens.json')
    writeFileDurable(file, 'one', 0o600)
    writeFileDurable(file, 'two', 0o600)
    expect(fs.readFileSync(file, 'utf8')).toBe('two')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.readdirSync(dir)).toEqual(['tokens.json'])
  })

  it('leave a temporary file only when the writer dies, and the next writer removes it', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-durable-'))
    const dead = path.join(dir, `.x.onnx.${deadPid()}-0123abcd.tmp`)
    const live = path.join(dir, `.y.onnx.${process.ppid}-0123abcd.tmp`) // our parent is running
    fs.writeFileSync(dead, 'partial')
    fs.writeFileSync(live, 'in progress')
    expect(removeAbandonedTemps(dir)).toEqual([path.basename(dead)])
    expect(fs.readdirSync(dir)).toEqual([path.basename(live)])
  })
})
