/**
 * Text from bytes and bytes from text without Node's `Buffer`, so the weight readers run in
 * browsers as they do in Node.
 */

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Decodes bytes as Latin-1 (one character per byte, what Python 2 `str` pickles mean). */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let at = 0; at < bytes.length; at += 8192) {
    text += String.fromCharCode(...bytes.subarray(at, Math.min(bytes.length, at + 8192)));
  }
  return text;
}

/** Decodes bytes as UTF-8 (invalid sequences become U+FFFD, as `Buffer#toString('utf8')` does). */
export function utf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** Encodes text as UTF-8. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Lowercase hex of the bytes. */
export function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}
