import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMemoryStore, type SessionStore } from '@sess/core';
import { cookieHeaderOf } from '@sess/core/testing';
import { listenOnLoopback } from '@sess/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createPagesSessions } from './pages';

const SECRET = 'next-pages-test-secret-0123456789abcdef012345';
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A Pages Router API route on a Node server: `POST` signs in as `?user=`, `GET` answers the user. */
async function apiRoute(store: SessionStore): Promise<string> {
  const route = createPagesSessions({ secret: SECRET, store }).api<IncomingMessage, ServerResponse>(async (req, res, handle) => {
    const session = await handle.load();
    const user = new URL(req.url ?? '/', 'http://next.test').searchParams.get('user');
    if (req.method === 'POST' && user !== null) session.set('user', user);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(session.get('user') ?? null));
  });
  const server = await listenOnLoopback((req, res) => void route(req, res));
  servers.push(server);
  return server.baseUrl;
}

describe('createPagesSessions().api()', () => {
  it('takes the first of two session cookies, as every other entry point does', async () => {
    const url = await apiRoute(createMemoryStore());
    const signIn = async (user: string) => cookieHeaderOf(await fetch(`${url}/?user=${user}`, { method: 'POST' }))!;
    const victim = await signIn('victim');
    const attacker = await signIn('attacker');
    const response = await fetch(url, { headers: { cookie: `${victim}; ${attacker}` } });
    expect(await response.json()).toBe('victim');
  });

  it('answers a store outage with 503 and Retry-After', async () => {
    const down = () => Promise.reject(new Error('down'));
    const url = await apiRoute({ get: down, set: down, destroy: down });
    const response = await fetch(`${url}/?user=ann`, { method: 'POST' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});
