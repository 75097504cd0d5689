import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { resolveConfig } from './config.js'
import type { ServiceConfig } from './config.js'
import { ConfigError } from './config-error.js'

/**
 * Reads the YAML config file (if a path is given) and applies the `USERDIR_*`
 * environment variables over it (`forServe`: see `resolveConfig`). Throws a one-line `ConfigError`.
 */
export function loadConfig(configPath: string | null, env: Readonly<Record<string, string | undefined>>, forServe = true): ServiceConfig {
  if (configPath === null) return resolveConfig(null, env, 'defaults', forServe)
  let text: string
  try {
    text = readFileSync(configPath, 'utf8')
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${configPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  let parsed: unknown
  try {
    parsed = parse(text)
  } catch (error) {
    throw new ConfigError(`${configPath}: not valid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  // An empty file is still a config file (it parses as null): no demo by default.
  return resolveConfig(parsed ?? {}, env, configPath, forServe)
}
