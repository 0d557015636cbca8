/**
 * The record codec: a session as one Redis string (see `scripts.ts` for the grammar).
 * Web APIs only. Netstring lengths count UTF-8 bytes, as Lua's `#` does inside Redis.
 */
import type { Serializer, SessionData, SessionMeta, SessionRecord } from '@sess/core/store';

/** Marks the format, so a record of another format or program reads as unknown. */
export const RECORD_TAG = 's1';
/** Characters of one base-36 time in the meta: enough for the next 3,000 years. */
export const TIME_WIDTH = 9;
/** Characters of the meta: three times and the persistent flag. */
export const META_WIDTH = 3 * TIME_WIDTH + 1;
/** Where the user id starts, 0-based (Lua adds 1). */
export const USER_OFFSET = RECORD_TAG.length + META_WIDTH;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text` without allocating them (a lone surrogate counts 3, as TextEncoder writes U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: 2 UTF-16 units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}

export function netstring(text: string): string {
  return `${utf8Length(text)}:${text}`;
}

export function encodeMeta(meta: SessionMeta): string {
  return encodeTime(meta.createdAtMs) + encodeTime(meta.lastActiveAtMs) + encodeTime(meta.expiresAtMs) + (meta.persistent ? '1' : '0');
}

function encodeTime(ms: number): string {
  return Math.max(0, Math.floor(ms)).toString(36).padStart(TIME_WIDTH, '0');
}

/** Key/value pairs, flat; a value that serializes to nothing (JSON and `undefined`) goes to `removed`. */
export function serializeEntries(serializer: Serializer, data: SessionData, removed?: string[]): string[] {
  const entries: string[] = [];
  for (const name in data) {
    const text: string | undefined = serializer.stringify(data[name]);
    if (text !== undefined) entries.push(name, text);
    else removed?.push(name);
  }
  return entries;
}

/** A whole record as text, and the size the limit applies to (bytes of keys and values). */
export function encodeRecord(meta: SessionMeta, entries: readonly string[]): { text: string; sizeBytes: number } {
  let sizeBytes = 0;
  let text = RECORD_TAG + encodeMeta(meta) + netstring(meta.userId ?? '');
  for (let i = 0; i < entries.length; i += 2) {
    const name = entries[i]!;
    const value = entries[i + 1]!;
    const nameBytes = utf8Length(name);
    const valueBytes = utf8Length(value);
    sizeBytes += nameBytes + valueBytes;
    text += `${nameBytes}:${name}${valueBytes}:${value}`;
  }
  return { text, sizeBytes };
}

/**
 * Reads a record held one character per byte: the reply itself when it is ASCII (the
 * usual case), else its UTF-8 bytes as latin1, so netstring lengths (which count bytes)
 * index it directly either way; `text` turns a slice back into the string it encodes.
 */
class RecordReader {
  pos = USER_OFFSET;
  constructor(
    readonly bytes: string,
    readonly text: (slice: string) => string,
  ) {}

  static of(reply: string): RecordReader {
    return isAscii(reply) ? new RecordReader(reply, sameText) : new RecordReader(latin1OfBytes(encoder.encode(reply)), utf8OfLatin1);
  }

  /** Whether it starts as our format does; anything else reads as an unknown session. */
  get ours(): boolean {
    return this.bytes.length >= USER_OFFSET && this.bytes.startsWith(RECORD_TAG);
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  meta(): SessionMeta {
    const head = this.bytes.slice(RECORD_TAG.length, USER_OFFSET);
    return {
      createdAtMs: Number.parseInt(head.slice(0, TIME_WIDTH), 36),
      lastActiveAtMs: Number.parseInt(head.slice(TIME_WIDTH, 2 * TIME_WIDTH), 36),
      expiresAtMs: Number.parseInt(head.slice(2 * TIME_WIDTH, 3 * TIME_WIDTH), 36),
      persistent: head[META_WIDTH - 1] === '1',
    };
  }

  /** The next netstring's text, or `undefined` when the bytes end inside it. */
  next(): string | undefined {
    const colon = this.bytes.indexOf(':', this.pos);
    if (colon < 0) return undefined;
    let length = 0;
    for (let i = this.pos; i < colon; i++) {
      const digit = this.bytes.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) throw new Error('a malformed session record (a netstring length is not a number).');
      length = length * 10 + digit;
    }
    const end = colon + 1 + length;
    if (end > this.bytes.length) return undefined;
    this.pos = end;
    return this.text(this.bytes.slice(colon + 1, end));
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function latin1OfBytes(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return text;
}

const sameText = (slice: string): string => slice;
function utf8OfLatin1(slice: string): string {
  const bytes = new Uint8Array(slice.length);
  for (let i = 0; i < slice.length; i++) bytes[i] = slice.charCodeAt(i);
  return decoder.decode(bytes);
}

/** A whole record from a `GET` reply; `undefined` for a value of another format. Throws on a damaged record of ours. */
export function decodeRecord(reply: string, serializer: Serializer): SessionRecord | undefined {
  const reader = RecordReader.of(reply);
  if (!reader.ours) return undefined;
  const data: SessionData = {};
  const record: SessionRecord = { ...reader.meta(), data };
  const userId = reader.next();
  if (userId === undefined) throw new Error('a malformed session record (it ends inside the user id).');
  if (userId !== '') record.userId = userId;
  while (!reader.done) {
    const name = reader.next();
    const value = name === undefined ? undefined : reader.next();
    if (name === undefined || value === undefined) throw new Error('a malformed session record (it ends inside an entry).');
    setOwn(data, name, serializer.parse(value));
  }
  return record;
}

/**
 * The meta and user id from the first `readBytes` bytes of a record (a `GETRANGE`
 * reply); `undefined` for a value of another format, `'truncated'` when the user id
 * may not be whole: the bytes stop inside it, or the cut fell in a multi-byte
 * character (decoded as U+FFFD) that could belong to it.
 */
export function decodeHeader(reply: string, readBytes: number): SessionMeta | undefined | 'truncated' {
  const reader = RecordReader.of(reply);
  if (!reader.ours) return undefined;
  const userId = reader.next();
  if (userId === undefined) return 'truncated';
  // A cut character reads as U+FFFD (3 bytes where 1 to 3 were): a full read with one in the user id reads again whole.
  if (reader.bytes.length >= readBytes && userId.includes('\uFFFD')) return 'truncated';
  const meta = reader.meta();
  if (userId !== '') meta.userId = userId;
  return meta;
}

/** `data[name] = value`, where a key named `__proto__` stays a key instead of replacing the prototype. */
function setOwn(data: SessionData, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(data, name, { value, enumerable: true, writable: true, configurable: true });
  else data[name] = value;
}
