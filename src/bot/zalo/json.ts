// JSON that keeps Zalo's ids exact. Zalo documents ids and timestamps as strings, but a body
// (or a proxy in between) may carry them as bare numbers, and user / message ids exceed
// 2^53: JSON.parse would silently round 8512345678901234567 to 8512345678901234000. Before
// parsing, integer literals outside strings that a double cannot hold exactly are quoted, so
// they arrive as strings with every digit intact.

/** Integers with more digits than this are quoted (2^53 has 16 digits; ids are always long). */
const SAFE_DIGITS = 15;

/**
 * JSON.parse, except that integer literals of 16 or more digits (which a double may not hold
 * exactly) become strings.
 * Throws SyntaxError like JSON.parse on malformed input.
 */
export function parseJsonKeepingBigInts(text: string): unknown {
  return JSON.parse(quoteBigIntegers(text));
}

/** The same JSON text with every integer literal of 16+ digits (outside strings) in quotes. */
export function quoteBigIntegers(text: string): string {
  let out: string[] | undefined;
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip a string literal, honouring escapes.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      if (c === 0x2d) i++;
      while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      const intEnd = i;
      // Fractions and exponents are real numbers, not ids: leave them to JSON.parse.
      let isInteger = true;
      while (i < n && /[0-9.eE+-]/.test(text[i]!)) {
        isInteger = false;
        i++;
      }
      const digits = intEnd - start - (c === 0x2d ? 1 : 0);
      if (isInteger && digits > SAFE_DIGITS) {
        out ??= [];
        out.push(text.slice(last, start), '"', text.slice(start, intEnd), '"');
        last = intEnd;
      }
      continue;
    }
    i++;
  }
  if (!out) return text;
  out.push(text.slice(last));
  return out.join("");
}
