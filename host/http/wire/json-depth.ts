// Nesting depth of JSON text, measured before parsing. JSON.parse accepts any depth, but
// JSON.stringify and every recursive walk after it overflow the stack on deep input (and a body
// of a million `[` costs far more memory parsed than as text), so deep bodies are refused up front.
// This scan runs over every request body: strings, most of a body's bytes, are skipped with
// Buffer#indexOf (native memchr) rather than byte by byte.

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** What a byte outside strings means for nesting. */
const OTHER = 0;
const OPENS = 1;
const CLOSES = 2;
const STRING = 3;
const BYTE_CLASS = new Uint8Array(256);
BYTE_CLASS[0x7b] = OPENS; // {
BYTE_CLASS[0x5b] = OPENS; // [
BYTE_CLASS[0x7d] = CLOSES; // }
BYTE_CLASS[0x5d] = CLOSES; // ]
BYTE_CLASS[QUOTE] = STRING;

/** Index of the quote closing the string whose opening quote is at `open` (-1: unterminated). */
function closingQuote(text: Buffer, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf(QUOTE, from);
    if (quote === -1) return -1;
    // escaped when preceded by an odd run of backslashes (the run stops at the opening quote at the latest)
    let before = quote - 1;
    while (text[before] === BACKSLASH) before--;
    if (((quote - 1 - before) & 1) === 0) return quote;
    from = quote + 1;
  }
}

/** Whether JSON text (UTF-8) nests objects and arrays deeper than `maxDepth`. */
export function exceedsJsonDepth(bytes: Uint8Array, maxDepth: number): boolean {
  const text = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const kind = BYTE_CLASS[text[i]];
    if (kind === OTHER) continue;
    if (kind === STRING) {
      i = closingQuote(text, i);
      if (i === -1) return false; // unterminated: JSON.parse refuses it
    } else if (kind === OPENS) {
      if (++depth > maxDepth) return true;
    } else {
      depth--;
    }
  }
  return false;
}
