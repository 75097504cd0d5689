#!/usr/bin/env node
// The `userdir` command: loads tsx's ESM hooks, then runs the TypeScript CLI.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
