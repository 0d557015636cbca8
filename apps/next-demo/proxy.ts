import { createSessionProxy, type SessionProxy } from '@sess/next/proxy';
import { type NextRequest, NextResponse } from 'next/server';
import { demo } from './src/demo';

let withSession: SessionProxy | undefined;

/** Optimistic: signed-out visitors of /account go to the sign-in page without a render. */
export async function proxy(request: NextRequest): Promise<Response> {
  withSession ??= createSessionProxy(demo().sessions.manager);
  return withSession(request, (session) => (session.has('user') ? undefined : NextResponse.redirect(new URL('/', request.url), 303)));
}

export const config = { matcher: ['/account'] };
