import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext } from 'playwright-core'
import { tool } from './require.ts'

/** Debian's Chromium, driven by playwright-core (no browser download). */
export const CHROMIUM = '/usr/bin/chromium'
export const chromiumComponent = () => tool(CHROMIUM, 'apt-get install chromium')

/** Screenshots and other files a person should look at after a run (git-ignored). */
export const artifactsDir = (sub: string) => {
  const dir = fileURLToPath(new URL(`../../test-artifacts/${sub}/`, import.meta.url))
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

/**
 * Headless Chromium with a fresh profile (its --user-data-dir), kept off the network by its own
 * flags: no background requests, no component updates, no GPU.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  })
  return {
    context,
    close: async () => {
      await context.close()
      fs.rmSync(profile, { recursive: true, force: true })
    },
  }
}
