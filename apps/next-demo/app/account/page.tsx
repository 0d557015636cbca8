import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { sessions } from '../../src/demo';

/**
 * A page proxy.ts guards. Proxy's check is optimistic (it spares a signed-out visitor
 * the render); the page checks again, since a request can reach it without passing
 * proxy (CVE-2025-29927).
 */
export default async function AccountPage() {
  await connection();
  const session = await sessions.read();
  const user = session.get('user');
  if (user === undefined) redirect('/');
  return (
    <p>
      {'Account of '}
      <strong data-testid="account-user">{user}</strong>
    </p>
  );
}
