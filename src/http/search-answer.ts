/** One user of a search answer, as the endpoint sends it. */
export interface AnswerUser {
  user_id: string
  display_name: string | null
  avatar_url: string | null
}

// A string JSON.stringify would escape: a quote, a backslash, a control
// character, or a surrogate (lone ones become \uXXXX; for simplicity, pairs
// take the same slow path).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

// UTF-8 takes at most 3 bytes per UTF-16 unit, JSON escapes at most 6.
const MAX_BYTES_PER_UNIT = 6

// Reused between answers; each answer is copied out of it. Module-level on
// purpose: an answer is written synchronously and copied out before the
// function returns, so one buffer serves every server of the process. It
// grows to the largest answer up to SCRATCH_MAX_BYTES; a larger one gets a
// buffer of its own.
const SCRATCH_MAX_BYTES = 1 << 20
let scratch = Buffer.allocUnsafeSlow(16 * 1024)

/**
 * The search endpoint's JSON body, `{"limited":…,"results":[{"user_id":…,
 * "display_name":…,"avatar_url":…},…]}`, as UTF-8 bytes: byte for byte what
 * `Buffer.from(JSON.stringify({ limited, results }))` gives for those
 * fields in that order (test/http/search-answer.test.ts checks it), written
 * straight into a buffer. JSON.stringify's string builder, and flattening
 * its result, allocate several times the answer's size on the V8 heap;
 * this allocates the returned buffer (outside the V8 heap for pooled sizes)
 * and, for a string with characters to escape, that string's JSON. Fewer
 * young-generation bytes per request means fewer scavenges, and each
 * scavenge pauses the server for longer the larger the directory's heap.
 */
export function searchAnswerBytes(limited: boolean, results: readonly AnswerUser[]): Buffer {
  let bound = 40
  for (const user of results) {
    bound += 64 + MAX_BYTES_PER_UNIT * (user.user_id.length + (user.display_name?.length ?? 4) + (user.avatar_url?.length ?? 4))
  }
  if (scratch.length < bound && bound <= SCRATCH_MAX_BYTES) scratch = Buffer.allocUnsafeSlow(Math.min(Math.max(bound, 2 * scratch.length), SCRATCH_MAX_BYTES))
  const out = scratch.length >= bound ? scratch : Buffer.allocUnsafeSlow(bound)
  let at = out.write(limited ? '{"limited":true,"results":[' : '{"limited":false,"results":[', 0, 'latin1')
  for (let i = 0; i < results.length; i++) {
    const user = results[i]
    at += out.write(i === 0 ? '{"user_id":' : ',{"user_id":', at, 'latin1')
    at = writeString(out, at, user.user_id)
    at += out.write(',"display_name":', at, 'latin1')
    at = writeString(out, at, user.display_name)
    at += out.write(',"avatar_url":', at, 'latin1')
    at = writeString(out, at, user.avatar_url)
    out[at++] = 0x7d // }
  }
  out[at++] = 0x5d // ]
  out[at++] = 0x7d // }
  const body = Buffer.allocUnsafe(at)
  out.copy(body, 0, 0, at)
  return body
}

function writeString(out: Buffer, at: number, value: string | null): number {
  if (value === null) return at + out.write('null', at, 'latin1')
  if (NEEDS_ESCAPE.test(value)) return at + out.write(JSON.stringify(value), at, 'utf8')
  out[at++] = 0x22 // "
  at += out.write(value, at, 'utf8')
  out[at++] = 0x22
  return at
}
