import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError, parseArgs } from '../../src/cli/index.js'

const test = suite('src/cli/args.ts')

test('no arguments means serve on the defaults', () => {
  assert.equal(parseArgs([], {}), { name: 'serve', configPath: null, demo: false })
})

test('serve --config <file> and --config=<file>', () => {
  assert.equal(parseArgs(['serve', '--config', 'a.yaml'], {}), { name: 'serve', configPath: 'a.yaml', demo: false })
  assert.equal(parseArgs(['serve', '--config=b.yaml'], {}), { name: 'serve', configPath: 'b.yaml', demo: false })
})

test('USERDIR_CONFIG names the file when --config is not given', () => {
  assert.equal(parseArgs(['serve'], { USERDIR_CONFIG: 'env.yaml' }), { name: 'serve', configPath: 'env.yaml', demo: false })
  assert.equal(parseArgs(['serve', '-c', 'arg.yaml'], { USERDIR_CONFIG: 'env.yaml' }), { name: 'serve', configPath: 'arg.yaml', demo: false })
})

test('--help, and unknown arguments are an error', () => {
  assert.equal(parseArgs(['--help'], {}), { name: 'help' })
  assert.throws(() => parseArgs(['serve', '--port', '3'], {}), (e: unknown) => e instanceof ConfigError && /unknown argument "--port"/.test(e.message))
  assert.throws(() => parseArgs(['serve', '--config'], {}), (e: unknown) => e instanceof ConfigError && /--config needs a file path/.test(e.message))
})

test('import takes --homeserver, --admin-token-file, --config and --reconcile; serve does not take the import flags', () => {
  assert.equal(parseArgs(['import', '--homeserver', 'https://hs', '--admin-token-file=t', '--reconcile'], {}), { name: 'import', configPath: null, homeserverUrl: 'https://hs', adminTokenFile: 't', reconcile: true })
  assert.equal(parseArgs(['import'], { USERDIR_CONFIG: 'c.yaml' }), { name: 'import', configPath: 'c.yaml', homeserverUrl: null, adminTokenFile: null, reconcile: false })
  assert.throws(() => parseArgs(['serve', '--reconcile'], {}), (e: unknown) => e instanceof ConfigError && /unknown argument "--reconcile"/.test(e.message))
  assert.throws(() => parseArgs(['import', '--homeserver'], {}), (e: unknown) => e instanceof ConfigError && /--homeserver needs the homeserver URL/.test(e.message))
})

test.run()
