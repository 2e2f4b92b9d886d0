// Splitting long replies for platforms with a per-message length limit.

/**
 * Split at line breaks, else at spaces, else hard, so that no part exceeds `max`
 * characters; never cuts an emoji (a surrogate pair) in half.
 */
export function splitText(text: string, max: number): string[] {
  const body = text.length ? text : " ";
  if (body.length <= max) return [body];
  const parts: string[] = [];
  let rest = body;
  while (rest.length > max) {
    let cut = rest.lastIndexOf("\n", max);
    if (cut <= 0) cut = rest.lastIndexOf(" ", max);
    if (cut <= 0) cut = max;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, "");
  }
  if (rest.length) parts.push(rest);
  return parts;
}
