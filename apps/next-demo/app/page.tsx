import type { NextSession } from '@sess/next';
import { connection } from 'next/server';
import { handlers, sessions } from '../src/demo';
import { ActionForms } from './action-forms';

/**
 * The demo page, a Server Component. It reads the session read-only (no cookie; the
 * store-side expiry moves, and the flash it shows is consumed, after the response) and
 * renders demo-kit's page, so every demo shows the same bytes. Its forms post to the
 * Route Handlers of the HTTP contract; `ActionForms` sends them to Server Actions
 * instead once JavaScript runs.
 */
export default async function Page() {
  // Rendered per request, never at build time: the store is chosen when the server starts.
  await connection();
  // The handler only reads (and reads the flash): a read-only session is all it gets.
  const session = { load: () => sessions.read() as Promise<NextSession> };
  const reply = await handlers.page({ session, wantsJson: false });
  if (reply.kind !== 'html') throw new Error(`@sess/next-demo: the page handler answered ${reply.kind}, not a page`);
  return <ActionForms html={bodyOf(reply.body)} />;
}

/** The page's style and body: Next renders `<html>` and `<head>` itself. */
function bodyOf(page: string): string {
  const style = page.slice(page.indexOf('<style>'), page.indexOf('</style>') + '</style>'.length);
  return style + page.slice(page.indexOf('<body>') + '<body>'.length, page.indexOf('</body>'));
}
