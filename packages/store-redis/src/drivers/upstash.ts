/**
 * The `@upstash/redis` driver: Redis over HTTP, for Workers, Vercel, Deno Deploy and
 * any `fetch` runtime. Commands go through the client's own requester (the object
 * `new Redis(requester)` takes), not its command methods, so the store sets what a
 * session store needs whatever the application configured:
 * - replies are never JSON-parsed (what `automaticDeserialization: false` gives): a
 *   record is text and stays text;
 * - every request carries `signal: () => AbortSignal.timeout(operationTimeoutMs)`. The
 *   client has no timeout of its own, and a *static* signal that is already aborted
 *   resolves with a fake `{ result }` instead of throwing; a signal *function* makes
 *   the abort throw, so a timeout is never taken for data;
 * - calls started in the same tick go out as one request (`/pipeline` for several):
 *   one HTTP request per load and one per commit, whatever the client's
 *   auto-pipelining does (it splits reads from writes).
 * The client still retries on network errors (its `retry` option), within the timeout.
 * No Upstash-only script flag is sent: real Redis refuses `allow-key-locking`.
 */
import type { RedisCommandPort, RedisDriver } from '../port';
import { replyReaders } from './replies';

type Signal = AbortSignal | (() => AbortSignal);
type Reply = { result?: unknown; error?: string };

/** The part of `@upstash/redis`'s `Requester` the driver uses. */
interface UpstashRequester {
  request(req: { body: unknown; path?: string[]; signal?: Signal }): Promise<Reply | Reply[]>;
}

/** An `@upstash/redis` client as its public type shows it (its requester is `protected` there). */
export interface UpstashClient {
  createScript: (...args: never[]) => unknown;
  evalsha: (...args: never[]) => unknown;
}

/** The requester `new Redis(requester)` was built on: a `protected` field, but the one way to set a per-request signal. */
function requesterOf(value: object): UpstashRequester | undefined {
  const requester = (value as { client?: Partial<UpstashRequester> | null }).client;
  return typeof requester === 'object' && requester !== null && typeof requester.request === 'function'
    ? (requester as UpstashRequester)
    : undefined;
}

/** The client's `UpstashError` ends with `, command was: [...]`: session data, kept out of messages. */
function replyError(error: unknown): Error {
  if (error instanceof Error && error.name === 'TimeoutError') return error;
  const message = error instanceof Error ? error.message : String(error);
  const cut = message.indexOf(', command was: ');
  return new Error(cut === -1 ? message : message.slice(0, cut));
}

function settle(reply: Reply | undefined): unknown {
  if (reply?.error !== undefined) throw new Error(reply.error);
  // A reply without a result is no data: never read it as "no session".
  if (reply === undefined || reply.result === undefined) throw new Error('@sess/store-redis: Upstash sent no result');
  return reply.result;
}

interface Queued {
  command: string[];
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Sends each tick's commands in one request. */
function createSender(requester: UpstashRequester, timeoutMs: number): (command: string[]) => Promise<unknown> {
  let queue: Queued[] = [];

  async function flush(batch: Queued[]): Promise<void> {
    const signal = () => AbortSignal.timeout(timeoutMs);
    try {
      if (batch.length === 1) {
        const reply = (await requester.request({ body: batch[0]!.command, signal })) as Reply;
        batch[0]!.resolve(settle(reply));
        return;
      }
      const body = batch.map((queued) => queued.command);
      const replies = await requester.request({ path: ['pipeline'], body, signal });
      if (!Array.isArray(replies) || replies.length !== batch.length) {
        throw new Error('@sess/store-redis: Upstash answered a pipeline with the wrong number of replies');
      }
      batch.forEach((queued, i) => {
        try {
          queued.resolve(settle(replies[i]));
        } catch (error) {
          queued.reject(error as Error);
        }
      });
    } catch (error) {
      for (const queued of batch) queued.reject(replyError(error));
    }
  }

  return (command) =>
    new Promise((resolve, reject) => {
      queue.push({ command, resolve, reject });
      if (queue.length > 1) return;
      queueMicrotask(() => {
        const batch = queue;
        queue = [];
        void flush(batch);
      });
    });
}

const { asString, asNumber, asStrings } = replyReaders('Upstash');

export const upstashDriver: RedisDriver<UpstashClient> = {
  name: 'upstash',
  accepts: "an @upstash/redis client (new Redis({ url, token }) from '@upstash/redis')",
  transport: 'http',
  matches(value): value is UpstashClient {
    const candidate = value as Partial<UpstashClient>;
    return typeof candidate.createScript === 'function' && typeof candidate.evalsha === 'function' && requesterOf(value) !== undefined;
  },
  createPort(client, context): RedisCommandPort {
    const send = createSender(requesterOf(client)!, context.operationTimeoutMs);
    const script = (head: string[], keys: readonly string[], args: readonly string[]) =>
      send([...head, String(keys.length), ...keys, ...args]);
    return {
      driver: 'upstash',
      cluster: false,
      whenReady: () => undefined,
      describeState: () => 'HTTP: no connection to wait for',
      get: async (key) => {
        const value = await send(['GET', key]);
        return value === null ? null : asString(value);
      },
      getRange: async (key, start, end) => asString(await send(['GETRANGE', key, String(start), String(end)])),
      set: async (key, value, expiresAtMs) => {
        asString(await send(['SET', key, value, 'PXAT', String(expiresAtMs)]));
      },
      del: async (key) => asNumber(await send(['DEL', key])),
      evalSha: (sha, keys, args) => script(['EVALSHA', sha], keys, args),
      eval: (lua, keys, args) => script(['EVAL', lua], keys, args),
      zRangeByScore: async (key, min, max) => asStrings(await send(['ZRANGEBYSCORE', key, String(min), String(max)])),
      zRem: async (key, members) => asNumber(await send(['ZREM', key, ...members])),
      scanNodes: () => [
        {
          async scan(cursor, match, count, type) {
            const reply = await send(['SCAN', cursor, 'MATCH', match, 'COUNT', String(count), ...(type ? ['TYPE', type] : [])]);
            if (!Array.isArray(reply) || reply.length !== 2) throw new Error('@sess/store-redis: Upstash sent a malformed SCAN reply');
            return { cursor: String(reply[0]), keys: asStrings(reply[1]) };
          },
        },
      ],
    };
  },
};
