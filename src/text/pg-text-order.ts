// PostgreSQL orders tsvector lexemes by `tsCompareString`: memcmp of the UTF-8
// bytes, shorter first on a tie. UTF-8 byte order is code point order, which
// differs from JavaScript's UTF-16 order only where a surrogate pair meets a
// code unit in U+E000..U+FFFF.

/** Compares two strings in UTF-8 byte order, as PostgreSQL sorts lexemes: negative, 0 or positive. */
export function comparePgText(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800 && y >= 0xd800) {
      // Move surrogates (D800..DFFF) above E000..FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000
    }
    return x - y
  }
  return a.length - b.length
}

/**
 * The index of the first of the sorted `lexemes` that is not below `key` in
 * {@link comparePgText} order (`lexemes.length` when all are).
 */
export function lowerBoundPgText(lexemes: readonly string[], key: string): number {
  let lo = 0
  let hi = lexemes.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (comparePgText(lexemes[mid], key) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
