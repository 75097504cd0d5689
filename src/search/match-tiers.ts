// The opt-in match tiers (not Synapse behaviour). Tier 0 is Synapse's match;
// each further tier matches a document derived from the user's own, and a
// match in a lower-numbered tier always ranks above one in a higher tier.
import { foldDocument, infixDocument } from '../text/index.js'
import type { UserDocument } from '../text/index.js'

/** Which opt-in tiers are on; both false gives Synapse's single tier. */
export interface MatchOptions {
  accentInsensitive: boolean
  infixMatch: boolean
}

/**
 * The tiers in rank order: exact accents (Synapse), folded accents,
 * infix with exact accents, infix with folded accents; only the enabled ones.
 * `isFolded[t]` says whether tier t matches the folded query.
 */
export interface MatchTiers {
  readonly isFolded: readonly boolean[]
  /** One document per tier for a user whose Synapse document is `document` (built at ingest). */
  documentsOf(document: UserDocument): UserDocument[]
}

/** The tiers for these options. */
export function matchTiers({ accentInsensitive, infixMatch }: MatchOptions): MatchTiers {
  if (accentInsensitive && infixMatch) {
    return {
      isFolded: [false, true, false, true],
      documentsOf(document) {
        const folded = foldDocument(document)
        const infix = infixDocument(document)
        return [document, folded, infix, folded === document ? infix : infixDocument(folded)]
      },
    }
  }
  if (accentInsensitive) return { isFolded: [false, true], documentsOf: (document) => [document, foldDocument(document)] }
  if (infixMatch) return { isFolded: [false, false], documentsOf: (document) => [document, infixDocument(document)] }
  return { isFolded: [false], documentsOf: (document) => [document] }
}
