// The brute-force twin of src/search/prefix-postings.ts: each id's lexemes
// in a Map, and `candidates` a scan of every id. Same contract, no
// FlexSearch, no shared code; the shared cases (prefix-postings.cases.ts)
// run against both.
import { MAX_INDEXED_PREFIX } from '../../src/search/prefix-postings.js'
import type { PostingLists, PrefixPostings } from '../../src/search/prefix-postings.js'
import type { UserDocument } from '../../src/text/index.js'

export class ScanPrefixPostings implements PrefixPostings {
  readonly #lexemesById = new Map<number, string[]>()

  add(id: number, documents: readonly UserDocument[]): void {
    this.#lexemesById.set(id, documents.flatMap((document) => [...document.lexemes]))
  }

  remove(id: number): void {
    this.#lexemesById.delete(id)
  }

  candidates(prefix: string): PostingLists {
    const key = prefix.slice(0, MAX_INDEXED_PREFIX)
    const ids: number[] = []
    for (const [id, lexemes] of this.#lexemesById) if (lexemes.some((lexeme) => lexeme.startsWith(key))) ids.push(id)
    return ids.length === 0 ? [] : [ids]
  }
}
