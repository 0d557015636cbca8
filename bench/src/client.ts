/** The few plain requests around the timed windows: logging in, and checking each server. */
import { cookieHeaderOf } from '@sess/core/testing';
import type { ServerSpec } from './servers';

export interface Answer {
  status: number;
  body: { user?: string | null; count?: number };
  /** The response's Set-Cookie headers. */
  setCookie: string[];
}

export async function call(port: number, method: 'GET' | 'POST', path: string, cookie?: string): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: cookie ? { cookie } : {},
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Answer['body']) : {},
    setCookie: response.headers.getSetCookie(),
  };
}

/** Logs in and answers the Cookie header a browser would send from then on ('' without sessions). */
export async function login(port: number): Promise<string> {
  const answer = await call(port, 'POST', '/login');
  if (answer.status !== 200) throw new Error(`POST /login answered ${answer.status}`);
  return cookieHeaderOf(answer.setCookie) ?? '';
}

/**
 * Checks that a server does what the benchmark assumes: every route answers 200, and
 * on session servers the cookie round-trips, `/read` sees the login and `/write`
 * really increments the stored counter. Throws saying what is wrong.
 */
export async function checkServer(spec: ServerSpec, port: number): Promise<void> {
  const fail = (what: string, answer: Answer) => {
    throw new Error(`${spec.name}: ${what} (status ${answer.status}, body ${JSON.stringify(answer.body)})`);
  };
  const cookie = await login(port);
  if (spec.sessions && cookie === '') throw new Error(`${spec.name}: the login set no cookie`);

  const read = await call(port, 'GET', '/read', cookie);
  if (read.status !== 200 || read.body.user !== 'ann') fail('GET /read does not see the login', read);

  const first = await call(port, 'POST', '/write', cookie);
  // With the data in the cookie, the stored counter is the cookie the first write sent back.
  const second = await call(port, 'POST', '/write', spec.dataInCookie ? (cookieHeaderOf(first.setCookie) ?? '') : cookie);
  if (first.status !== 200 || second.status !== 200) fail('POST /write failed', second);
  if (spec.sessions && (first.body.count !== 1 || second.body.count !== 2)) {
    fail(`POST /write does not increment the stored counter (first ${first.body.count})`, second);
  }

  if (spec.sessions) {
    const anonymous = await call(port, 'GET', '/read');
    if (anonymous.status !== 200 || anonymous.body.user !== undefined) fail('GET /read without the cookie sees a user', anonymous);
  }
}
