type TypedArray = Uint8Array | Uint32Array | Float64Array

/** A copy of `array` with room for `length` elements (the new ones zero). */
export function grown<T extends TypedArray>(array: T, length: number): T {
  const copy = new (array.constructor as new (length: number) => T)(length)
  copy.set(array)
  return copy
}
