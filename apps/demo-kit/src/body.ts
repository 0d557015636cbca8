/** The request body rules every demo shares, whatever reads the bytes: limits, JSON parsing, errors as 400/413. */

/** The largest JSON body a demo reads; a longer one is a 413. */
export const MAX_JSON_BODY_BYTES = 100 * 1024;
/** The largest URL-encoded form a demo reads. */
export const MAX_FORM_BODY_BYTES = 16 * 1024;
/**
 * The deepest JSON a demo accepts. Far below what a 100 KB body can nest (50,000 levels),
 * which would overflow the stack of every recursive step after parsing (serializing,
 * cloning, comparing); the same bound as the core's check of session values.
 */
export const MAX_JSON_DEPTH = 64;

/** `application/json` or any `+json` type, the types the demos parse as JSON. */
export function isJsonContentType(header: string | null | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * Parses a JSON body the demos accept: not empty, valid, at most `MAX_JSON_DEPTH` deep.
 * Anything else throws an error with `status: 400` and a message for the client.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw badRequest('The JSON body is empty: send a JSON value (for example null or {}).');
  let value: unknown;
  try {
    // V8 parses iteratively: depth is checked after parsing, without recursion.
    value = JSON.parse(text);
  } catch {
    throw badRequest('The body is not valid JSON.');
  }
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) {
    throw badRequest(`The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  return value;
}

/** Whether arrays and objects nest deeper than `maxDepth` (`[]` is 1 deep), walked with a stack, never recursion. */
function jsonDepthExceeds(root: unknown, maxDepth: number): boolean {
  const pending: [value: unknown, depth: number][] = [[root, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) pending.push([child, depth + 1]);
  }
  return false;
}

/** An error the demos' error replies answer with its status and message. */
export function httpError(status: number, message: string, cause?: unknown): Error & { status: number } {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { status });
}

function badRequest(message: string): Error & { status: number } {
  return httpError(400, message);
}
