/*
 * commitBeforeFirstByte and nodeHeaders against a real `node:http` server on
 * 127.0.0.1. The core is type-checked without Node's types on purpose (its source
 * must not lean on them), so this file types the few Node APIs it uses itself
 * instead of pulling `@types/node` into the whole program.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionManager, type SessionHandle, type SessionManager } from './manager';
import { createMemoryStore } from './memory-store';
import { commitBeforeFirstByte, type NodeResponse, nodeHeaders } from './node';
import { applyCommitHeaders } from './response';
import { settleRequest } from './settle';
import type { SessionStore } from './store';
import { cookieHeaderOf } from './testing/cookie-jar';
import { recordingStore } from './testing/recording-store';

interface IncomingRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly url?: string;
}
/** Node's ServerResponse as these tests use it. */
type ServerResponse = NodeResponse & {
  writeHead(status: number, headers?: Record<string, string>): ServerResponse;
  write(chunk: string): boolean;
  end(chunk?: string): ServerResponse;
};
interface HttpServer {
  listen(port: number, host: string, listening: () => void): void;
  address(): { port: number };
  close(closed: () => void): void;
  closeAllConnections(): void;
}
interface NodeHttp {
  createServer(listener: (req: IncomingRequest, res: ServerResponse) => void): HttpServer;
}

const httpModule = 'node:http';
const http = (await import(/* @vite-ignore */ httpModule)) as NodeHttp;

const secret = 'node-helpers-secret-node-helpers-secret';
type Data = { user: string };

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(resolve));
  }
});

/** Starts a server on an ephemeral loopback port; resolves its base URL. */
async function listen(listener: (req: IncomingRequest, res: ServerResponse) => void): Promise<string> {
  const server = http.createServer((req, res) => {
    try {
      listener(req, res);
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

/** What an Express-like adapter does: one handle per request, committed before the first byte. */
function wire(manager: SessionManager<Data>, req: IncomingRequest, res: ServerResponse, events: string[] = []): SessionHandle<Data> {
  const cookie = req.headers.cookie;
  const handle = manager.open(typeof cookie === 'string' ? cookie : undefined);
  commitBeforeFirstByte(
    res,
    async (status) => {
      events.push(`commit ${status}`);
      const settled = await settleRequest(manager, handle, { status });
      if (settled.send === 'handler') events.push('committed');
      return settled;
    },
    ({ error, status }) => {
      events.push(`fail ${error.name}`);
      res.statusCode = status;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`error ${res.statusCode}`);
    },
  );
  return handle;
}

describe('commitBeforeFirstByte', () => {
  it('commits the session before res.end sends anything, so the response carries its Set-Cookie', async () => {
    const manager = createSessionManager<Data>({ secret });
    const events: string[] = [];
    const url = await listen((req, res) => {
      const handle = wire(manager, req, res, events);
      void (async () => {
        const session = await handle.load();
        const previous = session.get('user');
        session.set('user', 'ann');
        res.setHeader('Content-Type', 'text/plain');
        res.end(previous ?? 'stranger');
      })();
    });
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('stranger');
    expect(first.headers.getSetCookie()).toEqual([expect.stringMatching(/^sid=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/)]);
    expect(first.headers.get('vary')).toBe('Cookie');
    expect(first.headers.get('cache-control')).toBe('private');
    const second = await fetch(url, { headers: { cookie: cookieHeaderOf(first)! } });
    expect(await second.text()).toBe('ann');
    expect(second.headers.getSetCookie()).toEqual([]);
    expect(events).toEqual(['commit 200', 'committed', 'commit 200', 'committed']);
  });

  it('holds the response until the store write is done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let writing!: () => void;
    const writeStarted = new Promise<void>((resolve) => {
      writing = resolve;
    });
    const memory = createMemoryStore();
    const slow: SessionStore = {
      ...memory,
      set: async (key, record) => {
        writing();
        await gate;
        return memory.set(key, record);
      },
    };
    const manager = createSessionManager<Data>({ secret, store: slow });
    const url = await listen((req, res) => {
      const handle = wire(manager, req, res);
      void handle.load().then((session) => {
        session.set('user', 'ann');
        res.writeHead(302, { Location: '/home' });
        res.end();
      });
    });
    let answered = false;
    const response = fetch(url, { redirect: 'manual' }).then((r) => {
      answered = true;
      return r;
    });
    await writeStarted;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    release();
    const redirect = await response;
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/home');
    expect(redirect.headers.getSetCookie()).toHaveLength(1);
  });

  it('replays held write() calls in order after the commit, answering true while they wait', async () => {
    const manager = createSessionManager<Data>({ secret });
    const returned: unknown[] = [];
    const url = await listen((req, res) => {
      const handle = wire(manager, req, res);
      void handle.load().then((session) => {
        session.set('user', 'ann');
        returned.push(res.write('one,'));
        returned.push(res.write('two,'));
        returned.push(res.end('three') === res);
      });
    });
    const response = await fetch(url);
    expect(await response.text()).toBe('one,two,three');
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(returned).toEqual([true, true, true]);
  });

  it('passes calls made after the commit straight through to Node', async () => {
    const manager = createSessionManager<Data>({ secret });
    const events: string[] = [];
    const url = await listen((req, res) => {
      const handle = wire(manager, req, res, events);
      void (async () => {
        (await handle.load()).set('user', 'ann');
        res.write('a');
        while (!events.includes('committed')) await new Promise((resolve) => setTimeout(resolve, 5));
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`headersSent ${res.headersSent}`);
        res.write('b');
        res.end('c');
      })();
    });
    const response = await fetch(url);
    expect(await response.text()).toBe('abc');
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(events).toEqual(['commit 200', 'committed', 'headersSent true']);
  });

  it('commits with the status given to writeHead, so a 500 stores nothing and sends no cookie', async () => {
    const recording = recordingStore(createMemoryStore());
    const manager = createSessionManager<Data>({ secret, store: recording.store });
    const events: string[] = [];
    const url = await listen((req, res) => {
      const handle = wire(manager, req, res, events);
      void handle.load().then((session) => {
        session.set('user', 'ann');
        res.writeHead(500);
        res.end('broken');
      });
    });
    const response = await fetch(url);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('broken');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(events).toEqual(['commit 500', 'committed']);
    expect(recording.methods()).toEqual([]);
  });

  it('commits with res.statusCode when the handler ends without writeHead, so a 404 persists', async () => {
    const manager = createSessionManager<Data>({ secret });
    const events: string[] = [];
    const url = await listen((req, res) => {
      const handle = wire(manager, req, res, events);
      void handle.load().then((session) => {
        session.set('user', 'ann');
        res.statusCode = 404;
        res.end('not here');
      });
    });
    const response = await fetch(url);
    expect(response.status).toBe(404);
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(events).toEqual(['commit 404', 'committed']);
  });

  it('drops the held response and its describing headers when the commit fails, and lets fail() answer', async () => {
    const memory = createMemoryStore();
    const broken: SessionStore = { ...memory, set: () => Promise.reject(new Error('READONLY replica')) };
    const manager = createSessionManager<Data>({ secret, store: broken });
    const events: string[] = [];
    const url = await listen((req, res) => {
      const handle = wire(manager, req, res, events);
      void handle.load().then((session) => {
        session.set('user', 'ann');
        res.statusCode = 302;
        res.setHeader('Location', '/signed-in');
        res.setHeader('Content-Type', 'text/html');
        res.setHeader('ETag', '"v1"');
        res.setHeader('Content-Length', '13');
        res.setHeader('X-Request-Id', 'r1');
        res.write('<p>welcome');
        res.end('</p>');
      });
    });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('error 503');
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('x-request-id')).toBe('r1');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(events).toEqual(['commit 302', 'fail SessionStoreError']);
  });

  it('commits an unused session without any store call or cookie', async () => {
    const manager = createSessionManager<Data>({ secret });
    const url = await listen((req, res) => {
      wire(manager, req, res);
      res.end('plain');
    });
    const response = await fetch(url, { headers: { cookie: 'sid=whatever' } });
    expect(await response.text()).toBe('plain');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('vary')).toBeNull();
  });
});

describe('nodeHeaders', () => {
  it("reads Node's header values as strings and appends Set-Cookie values after the handler's", async () => {
    const seen: unknown[] = [];
    const url = await listen((_req, res) => {
      const headers = nodeHeaders(res);
      res.setHeader('Vary', ['Accept', 'Origin']);
      res.setHeader('Content-Length', 2);
      res.setHeader('Set-Cookie', ['theme=dark']);
      seen.push(headers.get('vary'), headers.get('Content-Length'), headers.get('x-missing'));
      headers.append('Set-Cookie', 'a=1');
      headers.append('Set-Cookie', 'b=2');
      headers.set('Cache-Control', 'private');
      res.end('ok');
    });
    const response = await fetch(url);
    expect(await response.text()).toBe('ok');
    expect(seen).toEqual(['Accept, Origin', '2', undefined]);
    expect(response.headers.getSetCookie()).toEqual(['theme=dark', 'a=1', 'b=2']);
    expect(response.headers.get('cache-control')).toBe('private');
  });

  it('lets applyCommitHeaders merge Cookie into a Vary header Node holds as an array', async () => {
    const url = await listen((_req, res) => {
      res.setHeader('Vary', ['Accept-Encoding']);
      applyCommitHeaders({ setCookie: ['sid=x'], cookies: [], vary: true, private: true }, nodeHeaders(res));
      res.end();
    });
    const response = await fetch(url);
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie');
    expect(response.headers.get('cache-control')).toBe('private');
    expect(response.headers.getSetCookie()).toEqual(['sid=x']);
  });
});
