/**
 * @module CLI: `userdir serve` and `userdir import`: argv, the YAML config file and `USERDIR_*`
 * variables, start and graceful stop. The only folder that reads
 * process.argv / process.env (in `main.ts`); imports `directory`, `http` and `import`.
 */
export { runCli } from './run-cli.js'
export type { CliProcess } from './run-cli.js'
export { loadConfig } from './load-config.js'
export { resolveConfig } from './config.js'
export type { ServiceConfig } from './config.js'
export { ConfigError } from './config-error.js'
export { optionSpecs } from './options.js'
export type { OptionSpec } from './options.js'
export { openDirectory, startService } from './service.js'
export type { ServiceParts } from './service.js'
export type { RunningService } from './service.js'
export { seedDemo, DEMO_TOKEN, DEMO_MARKER } from './demo.js'
export type { DemoSummary } from './demo.js'
export { parseArgs, USAGE } from './args.js'
export { runImportCommand } from './import-command.js'
export type { Command } from './args.js'
