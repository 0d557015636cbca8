/** Drives the core's session manager the way an adapter does, one request at a time. */
import type { Session, SessionManager } from '@sess/core';
import type { CommitResult } from '@sess/core/adapter';

export const SECRET = 'a-test-secret-that-is-long-enough-for-sess-0123456789';

/** The Cookie header a browser would send back after this response, or the previous one. */
export function nextCookieHeader(result: CommitResult, previous?: string): string | undefined {
  const cookie = result.cookies[0];
  if (cookie === undefined) return previous;
  return cookie.value === '' ? undefined : `${cookie.name}=${cookie.value}`;
}

/** One request: open the session, load it, run the handler, commit with a 200. */
export async function request<Data extends object>(
  manager: SessionManager<Data>,
  cookieHeader: string | undefined,
  handler: (session: Session<Data>) => void | Promise<void>,
): Promise<{ result: CommitResult; cookieHeader: string | undefined; session: Session<Data> }> {
  const handle = manager.open(cookieHeader);
  const session = await handle.load();
  await handler(session);
  const result = await manager.commit(handle, { status: 200 });
  return { result, cookieHeader: nextCookieHeader(result, cookieHeader), session };
}
