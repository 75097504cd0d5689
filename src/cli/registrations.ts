import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import type { UserDirectoryOptions } from '../directory/index.js'
import { ConfigError } from './config-error.js'

type AppserviceRegistration = NonNullable<UserDirectoryOptions['appservices']>[number]

/**
 * Reads appservice registration files (Synapse's `app_service_config_files`):
 * each one's sender (`@sender_localpart:serverName`) and exclusive user namespaces are
 * excluded from the directory.
 */
export function loadRegistrations(paths: readonly string[], serverName: string): AppserviceRegistration[] {
  return paths.map((path) => {
    let file: unknown
    try {
      file = parse(readFileSync(path, 'utf8'))
    } catch (error) {
      throw new ConfigError(`app_service_config_files: cannot read ${path}: ${(error as Error).message.split('\n')[0]}`)
    }
    const reg = typeof file === 'object' && file !== null ? (file as Record<string, unknown>) : {}
    if (typeof reg.id !== 'string' || typeof reg.sender_localpart !== 'string') {
      throw new ConfigError(`app_service_config_files: ${path} needs an id and a sender_localpart`)
    }
    const namespaces = typeof reg.namespaces === 'object' && reg.namespaces !== null ? (reg.namespaces as Record<string, unknown>) : {}
    const users = Array.isArray(namespaces.users) ? namespaces.users : []
    return {
      id: reg.id,
      sender: `@${reg.sender_localpart}:${serverName}`,
      namespaces: {
        users: users.map((entry: unknown, index: number) => {
          const ns = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {}
          if (typeof ns.regex !== 'string') throw new ConfigError(`app_service_config_files: ${path}: namespaces.users[${index}].regex must be a string`)
          return { regex: ns.regex, exclusive: ns.exclusive === true }
        }),
      },
    }
  })
}
