import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Component } from './require.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** `shared/data/<rel>` in the nearest folder above the checkout that has one (../shared/data for /work/main). */
export function sharedData(rel: string): string {
  for (let d = path.dirname(root); ; d = path.dirname(d)) {
    const p = path.join(d, 'shared', 'data', rel)
    if (existsSync(p)) return p
    if (d === path.dirname(d)) return path.join(path.dirname(root), 'shared', 'data', rel)
  }
}

/** A folder of the shared data set, as a component of the require rule (test/helpers/require.ts). */
export const dataset = (rel: string): Component => ({
  name: `shared/data/${rel}`,
  present: existsSync(sharedData(rel)),
  install: `put the data set at ../shared/data/${rel} (see shared/data/README.md: Kermany et al. 2018, CC BY 4.0)`,
})
