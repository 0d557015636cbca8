/**
 * The engine must bundle for workerd (issue 15, point 1): no module of the package
 * imports a `node:` module, uses `Buffer`, or imports a client library at run time
 * (drivers import client types only; ioredis is required only when a store is made
 * from `url`). The Workers runtime matrix bundles and runs it for real.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { decodeHeader, encodeRecord } from './record';

const sourceDir = import.meta.dirname;
const sources = readdirSync(sourceDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => [file, readFileSync(join(sourceDir, file), 'utf8')] as const);

it.each(sources)('%s imports no node: module, no client library at run time, and never uses Buffer', (_file, text) => {
  expect(text).not.toMatch(/from ['"]node:|require\(['"]node:|import\(['"]node:/);
  expect(text).not.toMatch(/\bBuffer\s*[.(]/);
  expect(text).not.toMatch(/^import (?!type )[^;]*from ['"](ioredis|redis)['"]/m);
});

it('reads a user id cut by the 1 KB header read inside a multi-byte character as truncated, not as a wrong id', () => {
  const userId = `${'é'.repeat(600)}`; // 1200 bytes: the first 1024 bytes of the record end inside it
  const { text } = encodeRecord({ createdAtMs: 1, lastActiveAtMs: 2, expiresAtMs: 3, persistent: false, userId }, []);
  const bytes = new TextEncoder().encode(text);
  for (const cut of [1023, 1024, 1025]) {
    const head = new TextDecoder().decode(bytes.subarray(0, cut));
    expect(decodeHeader(head, cut)).toBe('truncated');
  }
  // The cut takes one byte of the user id's last character: U+FFFD (3 bytes) would make the length fit.
  const almost = `${'a'.repeat(989)}é`; // 991 bytes from offset 34: it ends at byte 1025, the read stops at 1024
  const cutLast = encodeRecord({ createdAtMs: 1, lastActiveAtMs: 2, expiresAtMs: 3, persistent: false, userId: almost }, []).text;
  expect(decodeHeader(new TextDecoder().decode(new TextEncoder().encode(cutLast).subarray(0, 1024)), 1024)).toBe('truncated');
  // A user id that ends just before a cut character is read as it is.
  const short = 'é'.repeat(490); // 980 bytes, then an entry whose value is cut
  const whole = encodeRecord({ createdAtMs: 1, lastActiveAtMs: 2, expiresAtMs: 3, persistent: false, userId: short }, [
    'k',
    '"ééééééééééééééééééééééééééééééééééé"',
  ]).text;
  const head = new TextDecoder().decode(new TextEncoder().encode(whole).subarray(0, 1024));
  expect(decodeHeader(head, 1024)).toMatchObject({ userId: short, expiresAtMs: 3 });
});
