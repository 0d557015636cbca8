/**
 * `SessionObject`: the Durable Object class behind the store. One object per session
 * (named `s:<store key>`) holds its record; one per user (named `u:<user id>`) holds the
 * keys of that user's sessions. Every call on a record is a synchronous SQLite
 * transaction, so concurrent calls on one session never interleave: that is the whole
 * of the per-key merge. Only the user object awaits other objects, and it blocks its
 * own input while a rotation or a sign-out everywhere runs, so the two never interleave.
 */
import type { SessionMeta, UserSessionSummary } from '@sess/core/store';
import {
  callObject,
  type DurableObjectNamespaceLike,
  type Entries,
  entryBytes,
  type IndexCall,
  isNamespace,
  type ObjectCall,
  PACKAGE,
  type SessionCall,
  sessionName,
  userName,
} from './protocol';

/** The part of workerd's `DurableObjectState` the class uses. */
export interface SessionObjectState {
  readonly id: { equals(other: never): boolean };
  readonly storage: {
    readonly sql: { exec(query: string, ...bindings: unknown[]): { toArray(): Record<string, unknown>[] } };
    transactionSync<T>(fn: () => T): T;
    setAlarm(scheduledTimeMs: number): Promise<void>;
  };
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS session_meta (id INTEGER PRIMARY KEY CHECK (id = 0), meta TEXT NOT NULL, user TEXT, indexed INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS session_entry (name TEXT PRIMARY KEY, value TEXT NOT NULL, bytes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS user_session (key TEXT PRIMARY KEY, seq INTEGER NOT NULL);`;

/** A live record's metadata, and whether its user's index is known to list it. */
interface Held {
  meta: SessionMeta;
  indexed: boolean;
}

/** What a write leaves for `#afterWrite`: the record before it, and whether the index lists it. */
interface Written {
  before: Held | undefined;
  indexed: boolean;
}

class TooLarge {
  constructor(readonly sizeBytes: number) {}
}

/**
 * The Durable Object class to re-export from your Worker and bind with SQLite storage
 * (`new_sqlite_classes`), as the README shows. Bind it once: it finds its own binding in
 * `env` (the namespace whose id for its name is its own id) to reach the other objects.
 */
export class SessionObject {
  readonly #ctx: SessionObjectState;
  readonly #env: Record<string, unknown>;
  #namespace: DurableObjectNamespaceLike | undefined;
  #hasTables = false;

  constructor(ctx: SessionObjectState, env: Record<string, unknown>) {
    this.#ctx = ctx;
    this.#env = env;
  }

  async fetch(request: Request): Promise<Response> {
    const call = (await request.json()) as ObjectCall;
    const result = call.name.startsWith('u:')
      ? await this.#onUser(call as IndexCall & { name: string })
      : await this.#onSession(call as SessionCall & { name: string });
    return Response.json(result ?? null);
  }

  /** Removes an expired record; moves the alarm to the deadline of one that outlived it. */
  async alarm(): Promise<void> {
    const held = this.#read();
    if (held !== undefined) await this.#ctx.storage.setAlarm(held.meta.expiresAtMs);
  }

  #sql(query: string, ...bindings: unknown[]): Record<string, unknown>[] {
    return this.#ctx.storage.sql.exec(query, ...bindings).toArray();
  }

  /**
   * Whether the tables exist. They are made by the first write only: a read of an unknown
   * key (a forged or stale cookie) leaves no storage behind.
   */
  #tablesExist(): boolean {
    this.#hasTables ||= this.#sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_meta'").length > 0;
    return this.#hasTables;
  }

  #createTables(): void {
    if (this.#hasTables) return;
    this.#ctx.storage.sql.exec(SCHEMA);
    this.#hasTables = true;
  }

  /** The live record's metadata; an expired one is deleted on the way. */
  #read(): Held | undefined {
    if (!this.#tablesExist()) return undefined;
    const row = this.#sql('SELECT meta, indexed FROM session_meta')[0];
    if (row === undefined) return undefined;
    const meta = JSON.parse(row.meta as string) as SessionMeta;
    if (meta.expiresAtMs > Date.now()) return { meta, indexed: row.indexed === 1 };
    this.#clear();
    return undefined;
  }

  #clear(): void {
    if (!this.#tablesExist()) return;
    this.#sql('DELETE FROM session_meta');
    this.#sql('DELETE FROM session_entry');
  }

  /**
   * Writes the metadata; the user's index is known to list the session when the caller
   * says so (a rotation) or when it did before and the user stayed the same.
   */
  #writeMeta(before: Held | undefined, meta: SessionMeta, listed: boolean): Written {
    const indexed = listed || (before?.indexed === true && before.meta.userId === meta.userId);
    this.#sql(
      'INSERT INTO session_meta (id, meta, user, indexed) VALUES (0, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET meta = excluded.meta, user = excluded.user, indexed = excluded.indexed',
      JSON.stringify(meta),
      meta.userId ?? null,
      indexed ? 1 : 0,
    );
    return { before, indexed };
  }

  #writeEntries(entries: Entries): void {
    for (const [name, text] of entries) {
      this.#sql(
        'INSERT INTO session_entry (name, value, bytes) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, bytes = excluded.bytes',
        name,
        text,
        entryBytes(name, text),
      );
    }
  }

  /**
   * After a write: keeps the alarm at or before the deadline (a later deadline needs no
   * new alarm, the pending one moves itself), and puts the session in its user's index
   * unless that index is known to list it already.
   */
  async #afterWrite(key: string, { before, indexed }: Written, meta: SessionMeta): Promise<void> {
    const alarm =
      before === undefined || meta.expiresAtMs < before.meta.expiresAtMs ? this.#ctx.storage.setAlarm(meta.expiresAtMs) : undefined;
    if (meta.userId !== undefined && !indexed) {
      await callObject(this.#namespaceFor(sessionName(key)), { name: userName(meta.userId), op: 'admit', key });
      // Only if no write moved the session to another user meanwhile.
      this.#sql('UPDATE session_meta SET indexed = 1 WHERE user = ?', meta.userId);
    }
    await alarm;
  }

  async #onSession(call: SessionCall & { name: string }): Promise<unknown> {
    const key = call.name.slice(2);
    const { storage } = this.#ctx;
    switch (call.op) {
      case 'get': {
        const held = this.#read();
        if (held === undefined) return null;
        const entries = this.#sql('SELECT name, value FROM session_entry').map((row) => [row.name, row.value]);
        return { meta: held.meta, entries };
      }
      case 'meta':
        return this.#read()?.meta ?? null;
      case 'set': {
        const { meta, entries } = call;
        // Outside the transaction: a rollback must not leave `#hasTables` wrong.
        this.#createTables();
        const written = storage.transactionSync(() => {
          const held = this.#read();
          this.#clear();
          if (meta.expiresAtMs <= Date.now()) return undefined;
          this.#writeEntries(entries);
          return this.#writeMeta(held, meta, call.indexed === true);
        });
        if (written !== undefined) await this.#afterWrite(key, written, meta);
        return null;
      }
      case 'update':
      case 'touch': {
        const { meta } = call;
        let written: Written | undefined;
        try {
          written = storage.transactionSync(() => {
            const held = this.#read();
            if (held === undefined) return undefined;
            if (call.op === 'update') {
              // Removals first, then sets; nothing is kept when the result is over the limit.
              for (const name of call.removed) this.#sql('DELETE FROM session_entry WHERE name = ?', name);
              this.#writeEntries(call.entries);
              const [size] = this.#sql('SELECT COALESCE(SUM(bytes), 0) AS bytes FROM session_entry');
              const sizeBytes = Number(size?.bytes);
              if (sizeBytes > call.maxSizeBytes) throw new TooLarge(sizeBytes);
            }
            return this.#writeMeta(held, meta, false);
          });
        } catch (error) {
          if (error instanceof TooLarge) return { tooLargeBytes: error.sizeBytes };
          throw error;
        }
        if (written !== undefined) await this.#afterWrite(key, written, meta);
        return null;
      }
      case 'destroy':
        this.#clear();
        return null;
      case 'take':
      case 'destroyIf': {
        const held = this.#read();
        if (held === undefined || (call.op === 'destroyIf' && held.meta.userId !== call.userId)) return false;
        this.#clear();
        return true;
      }
    }
  }

  async #onUser(call: IndexCall & { name: string }): Promise<unknown> {
    const userId = call.name.slice(2);
    const namespace = this.#namespaceFor(call.name);
    const admit = (key: string) => {
      this.#createTables();
      this.#sql(
        'INSERT INTO user_session (key, seq) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM user_session)) ON CONFLICT(key) DO UPDATE SET seq = excluded.seq',
        key,
      );
    };
    const members = () => (this.#tablesExist() ? (this.#sql('SELECT key, seq FROM user_session') as { key: string; seq: number }[]) : []);
    switch (call.op) {
      case 'admit':
        admit(call.key);
        return null;
      case 'list': {
        const rows = members();
        const metas = await Promise.all(
          rows.map(({ key }) => callObject<SessionMeta | null>(namespace, { name: sessionName(key), op: 'meta' })),
        );
        const sessions: UserSessionSummary[] = [];
        rows.forEach(({ key, seq }, i) => {
          const meta = metas[i];
          if (meta?.userId === userId) {
            sessions.push({
              key,
              createdAtMs: meta.createdAtMs,
              lastActiveAtMs: meta.lastActiveAtMs,
              expiresAtMs: meta.expiresAtMs,
              persistent: meta.persistent,
            });
          } else {
            // Gone or moved to another user; a write that listed it again since has a new seq and stays.
            this.#sql('DELETE FROM user_session WHERE key = ? AND seq = ?', key, seq);
          }
        });
        return sessions.sort((a, b) => a.createdAtMs - b.createdAtMs || (a.key < b.key ? -1 : 1));
      }
      case 'destroyAll':
        // No rotation into this index can land between reading it and destroying what it lists.
        return this.#ctx.blockConcurrencyWhile(async () => {
          const rows = members();
          const destroyed = await Promise.all(
            rows.map(({ key }) => callObject<boolean>(namespace, { name: sessionName(key), op: 'destroyIf', userId })),
          );
          if (rows.length > 0) this.#sql('DELETE FROM user_session');
          return destroyed.filter(Boolean).length;
        });
      case 'rotate':
        return this.#ctx.blockConcurrencyWhile(async () => {
          if (!(await callObject<boolean>(namespace, { name: sessionName(call.from), op: 'take' }))) return false;
          await callObject(namespace, { name: sessionName(call.to), op: 'set', meta: call.meta, entries: call.entries, indexed: true });
          admit(call.to);
          return true;
        });
    }
  }

  /** The binding this class is bound under: the namespace whose id for `name` is this object's id. */
  #namespaceFor(name: string): DurableObjectNamespaceLike {
    if (this.#namespace !== undefined) return this.#namespace;
    for (const value of Object.values(this.#env)) {
      if (isNamespace(value) && this.#ctx.id.equals(value.idFromName(name) as never)) {
        this.#namespace = value;
        return value;
      }
    }
    throw new Error(`${PACKAGE}: SessionObject found no Durable Object binding of its own in env; bind the class as the README shows.`);
  }
}
