// PostgreSQL's default text-search parser (wparser_def.c, `TParserGet`):
// a table-driven state machine with a stack of saved positions, so a rule can
// PUSH a guess (is this a host? an e-mail?), and a failed guess POPs back to
// the saved position and tries the state's next rule. Characters are Unicode
// code points, classified as in a UTF8 database with LC_CTYPE 'C'.
import { Act, S, STATE_RULES, STAY, Special, Test, TokenType, type Rule } from './pg-parser-states.js'

// Character-class bits; a code point above 0x7F is a letter and nothing else.
const ALPHA = 1
const DIGIT = 2
const SPACE = 4
const XDIGIT = 8
const URLCHAR = 16
const ASCII = 32

function classify(cp: number): number {
  if (cp > 0x7f) return ALPHA
  let bits = ASCII
  if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) bits |= ALPHA
  if (cp >= 0x30 && cp <= 0x39) bits |= DIGIT
  if (cp === 0x20 || (cp >= 0x09 && cp <= 0x0d)) bits |= SPACE
  if ((bits & DIGIT) !== 0 || (cp >= 0x41 && cp <= 0x46) || (cp >= 0x61 && cp <= 0x66)) bits |= XDIGIT
  // p_isurlchar: printable ASCII except the characters RFC 3986 rejects.
  if (cp > 0x20 && cp < 0x7f && '"<>\\^`{|}'.indexOf(String.fromCharCode(cp)) < 0) bits |= URLCHAR
  return bits
}

const ASCII_CLASSES = Uint8Array.from({ length: 128 }, (_, cp) => classify(cp))

/**
 * The input as code points, their classes (plus a 0 class at the end, for
 * EOF) and each code point's UTF-16 offset in the string (plus the length).
 * The arrays are scratch buffers that may be longer than the input: read
 * only below `length` (`classes` and `offsets` up to `length` included).
 * Valid until the next `toParserInput` call.
 */
interface ParserInput {
  readonly length: number
  readonly codePoints: Int32Array
  readonly classes: Uint8Array
  readonly offsets: Int32Array
}

// One input at a time: parsing is synchronous and never nests across texts,
// so the buffers are reused (a fresh typed array per text cost more than
// the parse, with three texts per user at ingest). Module-level so that the
// parse functions stay plain functions; they grow to the longest text parsed.
let scratch = { codePoints: new Int32Array(256), classes: new Uint8Array(257), offsets: new Int32Array(257) }

/**
 * Splits a string into code points and classifies them. Lone surrogates
 * count as letters. The result borrows module scratch buffers: use it
 * before the next call.
 */
export function toParserInput(text: string): ParserInput {
  if (scratch.codePoints.length < text.length) {
    const size = Math.max(text.length, scratch.codePoints.length * 2)
    scratch = { codePoints: new Int32Array(size), classes: new Uint8Array(size + 1), offsets: new Int32Array(size + 1) }
  }
  const { codePoints, classes, offsets } = scratch
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i) as number
    offsets[n] = i
    if (cp > 0xffff) i++
    codePoints[n] = cp
    classes[n++] = cp < 128 ? ASCII_CLASSES[cp] : ALPHA
  }
  offsets[n] = text.length
  classes[n] = 0
  return { length: n, codePoints, classes, offsets }
}

// Tags whose content the parser skips (SpecialTags), compared case-insensitively.
function startsWithAscii(cps: Int32Array, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    let c = cps[at + i]
    if (c >= 0x41 && c <= 0x5a) c += 0x20
    if (c !== word.charCodeAt(i)) return false
  }
  return true
}

// Work cap. PostgreSQL's parser backtracks: an unclosed `<!--` or a run of
// `~/` rescans to the end of the text from every start, and each `@` runs a
// nested host parser, so adversarial text costs it quadratic time and deep
// recursion. Ordinary text takes a few steps per character; past this many
// steps (or this many nested look-aheads) the parse stops and the tokens
// found so far stand. Only crafted input far longer than a display name
// reaches either limit.
const STEPS_BASE = 50_000
const STEPS_PER_CODE_POINT = 50
const MAX_LOOKAHEAD_DEPTH = 500

interface Budget {
  steps: number
  depth: number
}

interface Stacks {
  pos: Int32Array<ArrayBuffer>
  tokLen: Int32Array<ArrayBuffer>
  state: Int32Array<ArrayBuffer>
  pushedAt: Int32Array<ArrayBuffer>
}

function newStacks(size: number): Stacks {
  return { pos: new Int32Array(size), tokLen: new Int32Array(size), state: new Int32Array(size), pushedAt: new Int32Array(size) }
}

// Position stacks by look-ahead level, reused by every parse: parsers at one
// level never overlap (a look-ahead runs to its answer before the next).
const STACKS: Stacks[] = []

/**
 * One parser over `input` from code point `offset`: {@link next} returns the
 * tokens one by one, as `prsd_nexttoken` does. Sub-parsers (the host and URL
 * look-aheads) are further instances over the same input.
 */
class Parser {
  readonly #input: ParserInput
  readonly #cps: Int32Array
  readonly #cls: Uint8Array
  readonly #base: number
  readonly #len: number
  readonly #level: number
  // The position stack: one frame per saved guess, top at depth - 1.
  #pos: Int32Array<ArrayBuffer>
  #tokLen: Int32Array<ArrayBuffer>
  #state: Int32Array<ArrayBuffer>
  #pushedAt: Int32Array<ArrayBuffer>
  #depth = 1
  #ignore = false
  wantHost = false
  tokenStart = 0
  tokenLength = 0
  tokenType = 0

  readonly #budget: Budget

  /** `level` is the look-ahead nesting (0 for the top parser): it picks the pooled stack. */
  constructor(input: ParserInput, offset: number, startState: number, budget: Budget, level: number) {
    this.#level = level
    const stacks = (STACKS[level] ??= newStacks(16))
    this.#pos = stacks.pos
    this.#tokLen = stacks.tokLen
    this.#state = stacks.state
    this.#pushedAt = stacks.pushedAt
    this.#pos[0] = 0
    this.#tokLen[0] = 0
    this.#budget = budget
    this.#input = input
    this.#cps = input.codePoints
    this.#cls = input.classes
    this.#base = offset
    this.#len = input.length - offset
    this.#state[0] = startState
    this.#pushedAt[0] = -1
  }

  /** Pushes a frame in a given state above the base frame (`p_isURLPath`'s sub-parser). */
  pushState(state: number): void {
    this.#pushFrame()
    this.#state[this.#depth - 1] = state
  }

  #pushFrame(): void {
    const d = this.#depth
    if (d === this.#pos.length) this.#grow()
    this.#pos[d] = this.#pos[d - 1]
    this.#tokLen[d] = this.#tokLen[d - 1]
    this.#state[d] = this.#state[d - 1]
    this.#pushedAt[d] = -1
    this.#depth = d + 1
  }

  #grow(): void {
    const stacks = newStacks(this.#pos.length * 2)
    stacks.pos.set(this.#pos)
    stacks.tokLen.set(this.#tokLen)
    stacks.state.set(this.#state)
    stacks.pushedAt.set(this.#pushedAt)
    STACKS[this.#level] = stacks
    this.#pos = stacks.pos
    this.#tokLen = stacks.tokLen
    this.#state = stacks.state
    this.#pushedAt = stacks.pushedAt
  }

  #dropBelowTop(count: number): void {
    const top = this.#depth - 1
    const to = top - count
    this.#pos[to] = this.#pos[top]
    this.#tokLen[to] = this.#tokLen[top]
    this.#state[to] = this.#state[top]
    this.#pushedAt[to] = this.#pushedAt[top]
    this.#depth -= count
  }

  #test(rule: Rule, at: number): boolean {
    const eof = at >= this.#len
    const cls = this.#cls[this.#base + at]
    switch (rule.test) {
      case Test.Any: return true
      case Test.Eof: return eof
      case Test.Eq: return !eof && this.#cps[this.#base + at] === rule.ch
      case Test.AscLetter: return (cls & (ASCII | ALPHA)) === (ASCII | ALPHA)
      case Test.Alpha: return (cls & ALPHA) !== 0
      case Test.Digit: return (cls & DIGIT) !== 0
      case Test.Alnum: return (cls & (ALPHA | DIGIT)) !== 0
      case Test.NotAlnum: return (cls & (ALPHA | DIGIT)) === 0
      case Test.Space: return (cls & SPACE) !== 0
      case Test.XDigit: return (cls & XDIGIT) !== 0
      case Test.UrlChar: return (cls & URLCHAR) !== 0
      case Test.Ignore: return this.#ignore
      case Test.StopHost:
        if (!this.wantHost) return false
        this.wantHost = false
        return true
      case Test.Host: return this.#lookAhead(at, S.Base, true, TokenType.Host)
      case Test.UrlPath: return this.#lookAhead(at, S.InURLPathFirst, false, TokenType.UrlPath)
      default: throw new Error(`pg-parser: unknown test ${rule.test}`)
    }
  }

  // p_ishost / p_isURLPath: run a fresh parser from here; on the wanted token
  // type, swallow it into the current token.
  #lookAhead(at: number, state: number, wantHost: boolean, type: number): boolean {
    if (this.#budget.depth >= MAX_LOOKAHEAD_DEPTH) {
      this.#budget.steps = -1
      return false
    }
    const sub = new Parser(this.#input, this.#base + at, S.Base, this.#budget, this.#level + 1)
    if (state !== S.Base) sub.pushState(state)
    sub.wantHost = wantHost
    this.#budget.depth++
    const found = sub.next()
    this.#budget.depth--
    if (!found || sub.tokenType !== type) return false
    const top = this.#depth - 1
    this.#pos[top] += sub.tokenLength
    this.#tokLen[top] += sub.tokenLength
    return true
  }

  #special(kind: number): void {
    const top = this.#depth - 1
    if (kind === Special.Tags) {
      const n = this.#tokLen[top]
      const at = this.#base + this.tokenStart
      if (n === 8 && startsWithAscii(this.#cps, at, '</script')) this.#ignore = false
      else if (n === 7 && startsWithAscii(this.#cps, at, '</style')) this.#ignore = false
      else if (n === 7 && startsWithAscii(this.#cps, at, '<script')) this.#ignore = true
      else if (n === 6 && startsWithAscii(this.#cps, at, '<style')) this.#ignore = true
    } else if (kind === Special.FullUrl) {
      this.wantHost = true
      this.#pos[top] -= this.#tokLen[top]
    } else if (kind === Special.Hyphen) {
      this.#pos[top] -= this.#tokLen[top]
    } else if (kind === Special.VerVersion) {
      this.#pos[top] -= this.#tokLen[top]
      this.#tokLen[top] = 0
    }
  }

  /** Reads the next token into `tokenStart`/`tokenLength`/`tokenType`; false at the end. */
  next(): boolean {
    let top = this.#depth - 1
    if (this.#pos[top] >= this.#len) return false
    this.tokenStart = this.#pos[top]
    this.#pushedAt[top] = -1
    let act = 0
    for (;;) {
      if (--this.#budget.steps < 0) return false
      top = this.#depth - 1
      const at = this.#pos[top]
      const rules = STATE_RULES[this.#state[top]]
      let i = this.#pushedAt[top] >= 0 ? this.#pushedAt[top] + 1 : 0
      this.#pushedAt[top] = -1
      while (!this.#test(rules[i], at)) i++
      if (this.#budget.steps < 0) return false
      const rule = rules[i]
      act = rule.act
      if (rule.special !== Special.None) this.#special(rule.special)
      if ((act & Act.Bingo) !== 0) {
        this.tokenLength = this.#tokLen[top]
        this.#tokLen[top] = 0
        this.tokenType = rule.type
      }
      if ((act & Act.Pop) !== 0) this.#depth--
      else if ((act & Act.Push) !== 0) {
        this.#pushedAt[top] = i
        this.#pushFrame()
      } else if ((act & Act.Clear) !== 0) this.#dropBelowTop(1)
      else if ((act & Act.ClearAll) !== 0) this.#dropBelowTop(this.#depth - 1)
      else if ((act & Act.Merge) !== 0) {
        // The frame below takes this one's position but keeps its own state
        // and its saved rule, so the next character resumes after that rule.
        this.#pos[top - 1] = this.#pos[top]
        this.#tokLen[top - 1] = this.#tokLen[top]
        this.#depth--
      }
      top = this.#depth - 1
      if (rule.to !== STAY) this.#state[top] = rule.to
      if ((act & Act.Bingo) !== 0 || (this.#pos[top] >= this.#len && (act & Act.Rerun) === 0)) break
      if ((act & (Act.Rerun | Act.Pop)) !== 0) continue
      if (this.#pos[top] < this.#len) {
        this.#pos[top]++
        this.#tokLen[top]++
      }
    }
    return (act & Act.Bingo) !== 0
  }
}

/**
 * Runs PostgreSQL's default parser over `input`, calling `onToken` with each
 * token's type and code-point span, in order (`ts_parse('default', …)`).
 * Cost is linear in the input for ordinary text and capped at about 50
 * steps per code point for crafted text (where PostgreSQL's own cost grows
 * quadratically); past the cap the remaining text yields no tokens. With
 * `shared`, the cap is what is left of that budget instead.
 */
export function parseTokens(
  input: ParserInput,
  onToken: (type: number, start: number, end: number) => void,
  shared?: ParserBudget,
): void {
  const allowed = shared?.steps ?? STEPS_BASE + STEPS_PER_CODE_POINT * input.length
  const budget: Budget = { steps: allowed, depth: 0 }
  const parser = new Parser(input, 0, S.Base, budget, 0)
  while (parser.next()) onToken(parser.tokenType, parser.tokenStart, parser.tokenStart + parser.tokenLength)
  const left = Math.max(budget.steps, 0)
  stepsTaken += allowed - left
  if (shared !== undefined) shared.steps = left
}

// A process-wide count, only read (as a difference) by tests and benchmarks.
let stepsTaken = 0

/**
 * The parser steps taken by every parse in this process so far: for tests
 * and benchmarks that check a parse's work stays bounded (counting steps,
 * not time).
 */
export function parserStepsTaken(): number {
  return stepsTaken
}

/**
 * Steps several parses share (the words of one search term): each parse
 * takes from `steps` what it uses, and stops, keeping its tokens so far,
 * once none are left.
 */
export interface ParserBudget {
  steps: number
}
