/**
 * A config option that is missing or invalid. The message is one line that
 * names the option (its YAML key or its `USERDIR_*` variable) and what is
 * wrong; the CLI prints it and exits 1.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
