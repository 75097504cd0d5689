// LMDB's file layout, as built into lmdb-js 3 (its fork of LMDB's mdb.master3,
// node_modules/lmdb/dependencies/lmdb/libraries/liblmdb/mdb.c): pages 0 and 1
// are meta pages. Each page starts with a 24-byte header (pgno, txnid, pad,
// flags at byte 18, lower/upper); a meta page's `MDB_meta` follows with the
// magic 0xBEEFC0DE, the data version (2) and, at byte 48, the page size.
// Upstream LMDB 0.9 has a 16-byte page header and data version 1.
const PAGE_HEADER_BYTES = 24
const UPSTREAM_PAGE_HEADER_BYTES = 16
const P_META = 0x08
const MDB_MAGIC = 0xbeefc0de
const MDB_DATA_VERSION = 2
const PAGE_SIZE_OFFSET = PAGE_HEADER_BYTES + 24
const MIN_PAGE_SIZE = 512
const MAX_PAGE_SIZE = 65536

/** The fewest leading bytes of `data.mdb` {@link checkLmdbHeader} needs: the first meta page's fields. */
export const LMDB_HEADER_BYTES = PAGE_SIZE_OFFSET + 4
/** How many leading bytes to read so that both meta pages are checked, whatever the page size. */
export const LMDB_PROBE_BYTES = MAX_PAGE_SIZE + LMDB_HEADER_BYTES

/** What the first bytes of a `data.mdb` say: fit for lmdb-js 3, or why not. */
type LmdbHeaderCheck =
  | { isLmdb: true; pageSizeBytes: number }
  | { isLmdb: false; problem: string }

/**
 * Checks that `head` (the file's first bytes, at least the first page when
 * the file has one) and `fileSizeBytes` describe an LMDB file lmdb-js 3 can
 * open. lmdb 3.5 kills the process with a segfault on other files, so this
 * runs before `open`. It reads fields only; it proves nothing about the rest
 * of the file.
 */
export function checkLmdbHeader(head: Uint8Array, fileSizeBytes: number): LmdbHeaderCheck {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  if (head.byteLength < LMDB_HEADER_BYTES) {
    return { isLmdb: false, problem: `it is too short to be an LMDB file (${fileSizeBytes} bytes)` }
  }
  if (view.getUint32(PAGE_HEADER_BYTES, true) !== MDB_MAGIC) {
    if (view.getUint32(UPSTREAM_PAGE_HEADER_BYTES, true) === MDB_MAGIC) {
      const version = view.getUint32(UPSTREAM_PAGE_HEADER_BYTES + 4, true) & 0xffff
      return {
        isLmdb: false,
        problem: `it is an LMDB file of another LMDB build (16-byte page header, data version ${version}) that lmdb-js 3 cannot open`,
      }
    }
    return { isLmdb: false, problem: 'it is not an LMDB file (no LMDB magic number in its header)' }
  }
  const version = view.getUint32(PAGE_HEADER_BYTES + 4, true) & 0xffff
  if (version !== MDB_DATA_VERSION) {
    return { isLmdb: false, problem: `it is an LMDB file of data version ${version}; lmdb-js 3 reads version ${MDB_DATA_VERSION}` }
  }
  if ((view.getUint16(18, true) & P_META) === 0) {
    return { isLmdb: false, problem: 'its first page is not an LMDB meta page' }
  }
  const pageSizeBytes = view.getUint32(PAGE_SIZE_OFFSET, true)
  const isPowerOfTwo = (pageSizeBytes & (pageSizeBytes - 1)) === 0
  if (!isPowerOfTwo || pageSizeBytes < MIN_PAGE_SIZE || pageSizeBytes > MAX_PAGE_SIZE) {
    return { isLmdb: false, problem: `its header gives an impossible page size (${pageSizeBytes} bytes)` }
  }
  if (fileSizeBytes < 2 * pageSizeBytes) {
    return { isLmdb: false, problem: `it is truncated (${fileSizeBytes} bytes, less than its two ${pageSizeBytes}-byte meta pages)` }
  }
  if (head.byteLength >= pageSizeBytes + LMDB_HEADER_BYTES && view.getUint32(pageSizeBytes + PAGE_HEADER_BYTES, true) !== MDB_MAGIC) {
    return { isLmdb: false, problem: 'its second meta page has no LMDB magic number' }
  }
  return { isLmdb: true, pageSizeBytes }
}
