/**
 * What the store (in the Worker) and `SessionObject` (the Durable Object) say to each other:
 * one JSON POST per call, to the object named `s:<store key>` (a session) or `u:<user id>`
 * (a user's index). Plain `fetch` rather than RPC: RPC needs the class to extend
 * `DurableObject` from `cloudflare:workers`, which Node cannot import.
 */
import type { SessionMeta } from '@sess/core/store';

export const PACKAGE = '@sess/store-cloudflare';

/** Data values, each serialized on its own: `[key, text]`. */
export type Entries = [name: string, text: string][];

export type SessionCall =
  | { op: 'get' | 'meta' | 'destroy' | 'take' }
  | { op: 'set'; meta: SessionMeta; entries: Entries /** The index already lists it (a rotation). */; indexed?: boolean }
  | { op: 'update'; meta: SessionMeta; entries: Entries; removed: string[]; maxSizeBytes: number }
  | { op: 'touch'; meta: SessionMeta }
  | { op: 'destroyIf'; userId: string };

export type IndexCall =
  | { op: 'admit'; key: string }
  | { op: 'list' | 'destroyAll' }
  | { op: 'rotate'; from: string; to: string; meta: SessionMeta; entries: Entries };

/** A call as sent: `name` is the object's own name, which it also uses to find its namespace. */
export type ObjectCall = (SessionCall | IndexCall) & { name: string };

export const sessionName = (key: string) => `s:${key}`;
export const userName = (userId: string) => `u:${userId}`;

/** The part of a Durable Object namespace binding the store uses (`env.SESSIONS`). */
export interface DurableObjectNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): { fetch(input: string, init: RequestInit): Promise<Response> };
}

export function isNamespace(value: unknown): value is DurableObjectNamespaceLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DurableObjectNamespaceLike).idFromName === 'function' &&
    typeof (value as DurableObjectNamespaceLike).get === 'function'
  );
}

/**
 * Sends one call to the object `name` of `namespace`, on a stub made for this call:
 * a stub is an I/O object, and workerd refuses one made during another request.
 */
export async function callObject<T>(namespace: DurableObjectNamespaceLike, call: ObjectCall): Promise<T> {
  const stub = namespace.get(namespace.idFromName(call.name));
  const response = await stub.fetch('https://session-object/', { method: 'POST', body: JSON.stringify(call) });
  if (!response.ok) throw new Error(`the Durable Object answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

const encoder = new TextEncoder();

/** The size the limit counts: UTF-8 bytes of a key and its serialized value. */
export function entryBytes(name: string, text: string): number {
  return encoder.encode(name).byteLength + encoder.encode(text).byteLength;
}
