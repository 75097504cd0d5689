/**
 * Lowercase, then Unicode NFKC: how Synapse prepares both display names for
 * the index and search terms (`_filter_text_for_index`).
 */
export function normalizeText(text: string): string {
  return text.toLowerCase().normalize('NFKC')
}
