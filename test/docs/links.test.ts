import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const test = suite('docs/links')

const root = resolve(import.meta.dirname, '..', '..')
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`),
  'bench/README.md',
  'bench/RESULTS.md',
]

/** Markdown without fenced code blocks and inline code, where brackets are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '')
}

/** Targets of inline links and images, and of reference definitions. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown)
  const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1])
  const references = [...text.matchAll(/^\s*\[[^\]]+\]:\s+<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1])
  return [...inline, ...references]
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const match of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    out.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return out
}

const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target)

test('every relative link in the README, docs/ and bench/ names a file or folder inside the repository', () => {
  const broken: string[] = []
  let checked = 0
  for (const document of documents) {
    for (const target of linkTargets(readFileSync(join(root, document), 'utf8'))) {
      if (isExternal(target) || target.startsWith('#')) continue
      checked++
      const path = resolve(dirname(join(root, document)), decodeURIComponent(target.split('#')[0]))
      const inside = path === root || path.startsWith(root + sep)
      if (!inside || !existsSync(path)) broken.push(`${document}: ${target}${inside ? '' : ' (outside the repository)'}`)
    }
  }
  assert.equal(broken, [])
  assert.ok(checked > 10, `only ${checked} links found: the link pattern is broken`)
})

test('every #anchor of a link to a markdown file is one of its headings', () => {
  const broken: string[] = []
  for (const document of documents) {
    const here = join(root, document)
    for (const target of linkTargets(readFileSync(here, 'utf8'))) {
      if (isExternal(target) || !target.includes('#')) continue
      const [file, anchor] = target.split('#')
      const path = file === '' ? here : resolve(dirname(here), decodeURIComponent(file))
      if (!path.endsWith('.md') || !existsSync(path) || !statSync(path).isFile()) continue
      if (!anchors(readFileSync(path, 'utf8')).has(anchor)) broken.push(`${document}: ${target} (no such heading in ${relative(root, path)})`)
    }
  }
  assert.equal(broken, [])
})

test('no document names a path outside the repository, in a link or in code', () => {
  const outside: string[] = []
  for (const document of documents) {
    const here = join(root, document)
    for (const match of readFileSync(here, 'utf8').matchAll(/(?:\.\.\/)+[\w.-]*/g)) {
      const path = resolve(dirname(here), match[0])
      if (path !== root && !path.startsWith(root + sep)) outside.push(`${document}: ${match[0]}`)
    }
  }
  assert.equal(outside, [])
})

test('links are read from prose and reference definitions, not from code; headings give GitHub\'s anchors', () => {
  assert.equal(linkTargets('see [api](docs/api.md#x), ![plot](results/a.svg) and `[no](code.md)`\n\n[ref]: ../shared/API.md\n'), ['docs/api.md#x', 'results/a.svg', '../shared/API.md'])
  assert.ok(anchors('# Title\n## 5. Remote profile refresh\n## Try it: `npm start`\n').has('5-remote-profile-refresh'))
  assert.ok(anchors('## Try it: `npm start`\n').has('try-it-npm-start'))
})

test.run()
