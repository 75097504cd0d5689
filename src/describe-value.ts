/**
 * @module A short, bounded description of any value for error messages:
 * JSON for small values, cut beyond a few items, a few levels and a length
 * budget. Never throws and never walks far, whatever a client sent
 * (`JSON.stringify` of a value nested 5,000 deep throws `RangeError`; of a
 * huge one, it builds megabytes).
 */

const MAX_ITEMS = 5
const MAX_DEPTH = 3
const MAX_STRING = 100

/** `value` as a short JSON-like text (at most `maxChars`); `"…"` marks what was cut. */
export function describeValue(value: unknown, maxChars = 160): string {
  let text: string
  try {
    text = describe(value, MAX_DEPTH)
  } catch {
    // A getter or a proxy that throws.
    text = Array.isArray(value) ? 'an array' : typeof value === 'object' && value !== null ? 'an object' : typeof value
  }
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text
}

function describe(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value)
    case 'number':
    case 'boolean':
      return String(value)
    case 'bigint':
      return `${value}n`
    case 'undefined':
      return 'undefined'
    case 'symbol':
      return value.toString()
    case 'function':
      return 'a function'
  }
  if (value === null) return 'null'
  if (Array.isArray(value)) {
    if (depth === 0) return value.length === 0 ? '[]' : '[…]'
    const items: string[] = []
    for (let i = 0; i < Math.min(value.length, MAX_ITEMS); i++) items.push(describe(value[i], depth - 1))
    if (value.length > MAX_ITEMS) items.push('…')
    return `[${items.join(',')}]`
  }
  const object = value as Record<string, unknown>
  const fields: string[] = []
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue
    if (depth === 0 || fields.length === MAX_ITEMS) {
      fields.push('…')
      break
    }
    fields.push(`${describe(key, 0)}:${describe(object[key], depth - 1)}`)
  }
  return `{${fields.join(',')}}`
}
