import { createSessionProxy } from '@sess/next/proxy';
import { type NextRequest, NextResponse } from 'next/server';
import { sessions } from './src/demo';
import { demoErrorResponse } from './src/respond';

// A store outage answers the contract's 503 here: a Server Component cannot choose its status.
const withSession = createSessionProxy(sessions.manager, { onStoreError: demoErrorResponse });

/**
 * Loads the session before the pages that read it: during a store outage they answer 503
 * (not Next's 500 page), and the commit adds `Vary: Cookie` to their response. Signed-out
 * visitors of /account go to the sign-in page without a render (an optimistic check).
 */
export async function proxy(request: NextRequest): Promise<Response> {
  const guarded = request.nextUrl.pathname === '/account';
  return withSession(request, (session) =>
    guarded && !session.has('user') ? NextResponse.redirect(new URL('/', request.url), 303) : undefined,
  );
}

export const config = { matcher: ['/', '/account'] };
