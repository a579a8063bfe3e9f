#!/usr/bin/env node
// Runs the CLI from the TypeScript sources (the single executable bundles the same entry).
import './register.mjs'

const { run } = await import('../src/cli/main.ts')
await run()
