'use server';

import type { DemoReply, DemoRequest } from '@sess/demo-kit';
import { refresh } from 'next/cache';
import { handlers, sessions } from '../src/demo';

// The buttons of the page (see ActionForms). Each runs the same demo-kit handler as the
// matching Route Handler, inside `sessions.action()`, which commits before the action returns and
// writes a cookie only when the browser must learn something new.

export async function login(form: FormData): Promise<void> {
  await act((request) => handlers.login(request), form);
}

export async function count(_form?: FormData): Promise<void> {
  await act((request) => handlers.count(request));
}

export async function logout(_form?: FormData): Promise<void> {
  await act((request) => handlers.logout(request));
}

export async function logoutAll(_form?: FormData): Promise<void> {
  await act((request) => handlers.logoutAll(request));
}

/**
 * Runs a handler as a form post would; where the form post gets a 303 back to the page,
 * the action, already on that page, refreshes it in its own response.
 */
async function act(handler: (request: DemoRequest) => Promise<DemoReply>, form?: FormData): Promise<void> {
  const body = form === undefined ? undefined : { user: form.get('user') };
  const reply = await sessions.action((session) => handler({ session, wantsJson: false, body }))();
  if (reply.kind === 'redirect') refresh();
}
