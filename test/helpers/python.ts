import { execFileSync, spawnSync } from 'node:child_process'
import type { Component } from './require.ts'

/** Python 3 with NumPy and SciPy: the reference for the drift statistics. */
export const scipy: Component = {
  name: 'python3 with numpy and scipy',
  present: !spawnSync('python3', ['-c', 'import numpy, scipy.stats'], { stdio: 'ignore' }).status,
  install: 'apt-get install python3-numpy python3-scipy',
}

/** Runs a Python program that reads JSON on stdin and prints JSON. */
export const python = <T>(program: string, input: unknown): T =>
  JSON.parse(execFileSync('python3', ['-c', program], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 })) as T
