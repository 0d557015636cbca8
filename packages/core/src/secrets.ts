import { invalidOption } from './errors';

/** iron-webcrypto refuses shorter passwords; we refuse them earlier, at creation. */
export const MIN_SECRET_LENGTH = 32;
/** Fewer distinct characters than this is a placeholder (32 spaces, `xxxx...`), not a secret. */
const MIN_SECRET_DISTINCT_CHARACTERS = 6;

/** The secrets, ready for sealing and signing. */
export interface SecretRing {
  /** The id of the newest secret: it seals and signs; the others only open. */
  currentId: string;
  /** Every secret by id (the shape iron-webcrypto's `unseal` takes). */
  byId: Readonly<Record<string, string>>;
}

/**
 * Accepts one secret, or an id map for rotation (`{ 1: old, 2: new }`): the highest
 * numeric id seals, every listed one still opens, so old cookies keep working while
 * they are re-sealed with the newest secret.
 */
export function resolveSecrets(secret: unknown, packageName: string): SecretRing {
  if (typeof secret === 'string') {
    checkLength(secret, 'secret', packageName);
    return { currentId: '1', byId: { 1: secret } };
  }
  if (typeof secret !== 'object' || secret === null || Array.isArray(secret)) {
    invalidOption(packageName, 'secret', 'a string of at least 32 characters or an id map like { 1: "..." }', secret);
  }
  const entries = Object.entries(secret as Record<string, unknown>);
  if (entries.length === 0) invalidOption(packageName, 'secret', 'an id map with at least one secret', secret);
  let currentId = '';
  const byId: Record<string, string> = {};
  for (const [id, value] of entries) {
    if (!/^(0|[1-9][0-9]{0,8})$/.test(id)) {
      invalidOption(packageName, `secret.${id}`, 'keyed by a non-negative integer id (the highest seals)');
    }
    if (typeof value !== 'string') invalidOption(packageName, `secret.${id}`, 'a string', value);
    checkLength(value, `secret.${id}`, packageName);
    byId[id] = value;
    if (currentId === '' || Number(id) > Number(currentId)) currentId = id;
  }
  return { currentId, byId };
}

function checkLength(value: string, option: string, packageName: string): void {
  if (value.length < MIN_SECRET_LENGTH) {
    throw new TypeError(
      `${packageName}: option \`${option}\` must be at least ${MIN_SECRET_LENGTH} characters long (got ${value.length}). Generate one with \`openssl rand -base64 32\`.`,
    );
  }
  if (new Set(value).size < MIN_SECRET_DISTINCT_CHARACTERS) {
    throw new TypeError(
      `${packageName}: option \`${option}\` has fewer than ${MIN_SECRET_DISTINCT_CHARACTERS} distinct characters: that is a placeholder, not a secret. Generate one with \`openssl rand -base64 32\`.`,
    );
  }
}

/**
 * The secrets a seal under `cookieName` is made and opened with: each secret with the
 * name appended, so the seal's keys depend on the name and a value issued as `sid`
 * does not open under `__Host-sid` (a signature covers the name in its signed text).
 * No byte is added to the cookie. Built per seal or unseal, which cost far more.
 */
export function sealingSecrets(ring: SecretRing, cookieName: string): SecretRing {
  const byId: Record<string, string> = {};
  for (const [id, secret] of Object.entries(ring.byId)) byId[id] = `${secret}\u0000cookie=${cookieName}`;
  return { currentId: ring.currentId, byId };
}
