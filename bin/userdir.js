#!/usr/bin/env node
// The `userdir` command: runs the compiled CLI (dist/, built by `npm run build`
// and by `npm pack`) with plain node; no TypeScript compiler at run time.
import { existsSync } from 'node:fs'

const main = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  process.stderr.write('userdir: dist/ is not built: run `npm run build` first (from a checkout, `npm start` runs the sources)\n')
  process.exit(1)
}
await import(main.href)
