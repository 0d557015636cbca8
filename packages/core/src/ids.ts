import { sha256 } from './sha256';

/** 32 bytes: a 256-bit session id, as OWASP and the Flask lineage recommend. */
const SESSION_ID_BYTES = 32;
/** base64url of 32 bytes, without padding. */
const SESSION_ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A new session id: 256 bits from the platform CSPRNG, base64url encoded (43 characters). */
export function generateSessionId(): string {
  const bytes = new Uint8Array(SESSION_ID_BYTES);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/** Whether a value has the exact shape of an id we mint; anything else never reaches a store. */
export function isSessionIdShape(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_SHAPE.test(value);
}

/** base64url of the 24 bytes a store key keeps, without padding. */
const STORE_KEY_SHAPE = /^[A-Za-z0-9_-]{32}$/;

/** Whether a value has the exact shape of a key `storeKeyOf` produces. */
export function isStoreKeyShape(value: unknown): value is string {
  return typeof value === 'string' && STORE_KEY_SHAPE.test(value);
}

const encoder = new TextEncoder();

/** Bytes of the digest kept in a store key: 192 bits, 32 base64url characters. */
const STORE_KEY_BYTES = 24;

/**
 * The key a store sees: the SHA-256 digest of the id, cut to its first 192 bits
 * (32 base64url characters; collisions stay out of reach at 2^96 sessions, and a
 * shorter key is smaller at rest), so a dump of the store yields no cookie that could
 * be replayed. Synchronous (Web Crypto's digest is async only), so `regenerate()` can
 * be a plain call.
 */
export function storeKeyOf(sessionId: string): string {
  return base64url(sha256(encoder.encode(sessionId)).subarray(0, STORE_KEY_BYTES));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding, runtime-agnostic (no Buffer, no btoa round trip). */
export function base64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}
