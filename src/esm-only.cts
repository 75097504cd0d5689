// What `require('matrix-userdir')` gets. The package is published as ES modules only
// (no CommonJS build), so a CommonJS caller is told in one line how to load
// it, instead of failing somewhere inside.
const error = new Error(
  "matrix-userdir is ESM only: use import (import { UserDirectory } from 'matrix-userdir'), " +
    "or from CommonJS: const { UserDirectory } = await import('matrix-userdir')",
) as Error & { code: string }
error.code = 'ERR_REQUIRE_ESM'
throw error
