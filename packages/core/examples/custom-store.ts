import { jsonSerializer, type SessionRecord, type SessionStore } from '@sess/core/store';

/** The three calls this store needs; most key-value services and clients offer them. */
export interface KeyValue {
  get(key: string): Promise<string | null | undefined>;
  /** Writes a value the service may drop from `expiresAtMs` on. */
  put(key: string, value: string, options: { expiresAtMs: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A session store on top of any key-value service with expiry. */
export function createKeyValueStore(kv: KeyValue, { prefix = 'sess:' } = {}): SessionStore {
  return {
    async get(key) {
      const text = await kv.get(prefix + key);
      if (text === null || text === undefined) return undefined;
      const record = jsonSerializer.parse(text) as SessionRecord;
      // Services expire lazily or in coarse steps: the record's own deadline decides.
      return record.expiresAtMs > Date.now() ? record : undefined;
    },
    async set(key, record) {
      await kv.put(prefix + key, jsonSerializer.stringify(record), { expiresAtMs: record.expiresAtMs });
    },
    async destroy(key) {
      await kv.delete(prefix + key);
    },
    // No touch or update: a read-then-write here could bring back a session that
    // another request destroyed in between. Without them, the manager uses set.
  };
}
