// Byte-level helpers for the /proc scan loop: they read numbers and compare keys in a Buffer in place,
// so scanning hundreds of processes allocates no intermediate strings.

/** Bytes of `data` as given, or the UTF-8 encoding of a string (parsers accept either). */
export function asBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** True when data[start, end) holds exactly the ASCII characters of `key`. */
export function bytesEqual(data: Uint8Array, start: number, end: number, key: string): boolean {
  if (end - start !== key.length) return false;
  for (let k = 0; k < key.length; k++) {
    if (data[start + k] !== key.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * The signed decimal integer at data[start, end), leading blanks skipped, stopping at the first
 * non-digit; NaN when there is no digit.
 */
export function intAt(data: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && (data[i] === 0x20 || data[i] === 0x09)) i++;
  let negative = false;
  if (data[i] === 0x2d) {
    negative = true;
    i++;
  }
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = data[i] as number;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
    digits++;
  }
  if (digits === 0) return Number.NaN;
  return negative ? -value : value;
}

/** Index of the first `byte` in data[start, end), or end. */
export function indexOfByte(data: Uint8Array, byte: number, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    if (data[i] === byte) return i;
  }
  return end;
}
