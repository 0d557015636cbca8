import { escapeHtml } from '@sess/demo-kit';
import { demo } from '../src/demo';
import { count, login, logout, logoutAll } from './actions';

/**
 * The demo page, a Server Component: it reads the session (read-only: no cookie, the
 * store-side expiry moves after the response) and renders the same markup as the other
 * demos. Each button runs a Server Action; each form also names the Route Handler of
 * the HTTP contract, which is where it posts when JavaScript is off.
 */
export default async function Page() {
  const { sessions, store } = demo();
  const session = await sessions.read();
  const user = session.get('user');
  // Read once: the store drops it after the response, through after().
  const notice = session.getFlash('notice');
  const summaries = user === undefined ? [] : await sessions.manager.listUserSessions(user);
  const list = summaries
    .map((s) => ({ ...s, current: s.key === session.key }))
    .sort((a, b) => a.createdAtMs - b.createdAtMs);

  return (
    <>
      <h1>
        {'sess · Next.js demo '}
        <span className="badge" data-testid="store-mode">{`${store.mode} store`}</span>
      </h1>
      {notice === undefined ? null : <p className="notice" role="status" data-testid="flash" {...text(notice)} />}
      <section>
        {user !== undefined ? (
          <>
            <p>
              {'Signed in as '}
              <strong data-testid="user" {...text(user)} />
            </p>
            <form method="post" action="/logout">
              <button type="submit" data-testid="logout" formAction={logout}>
                Sign out
              </button>
            </form>
            <form method="post" action="/logout-all">
              <button type="submit" data-testid="logout-all" formAction={logoutAll}>
                Sign out everywhere
              </button>
            </form>
          </>
        ) : (
          <>
            <p data-testid="signed-out">You are not signed in.</p>
            <form method="post" action="/login">
              <label>
                {'Name '}
                <input name="user" required maxLength={64} autoComplete="username" data-testid="login-user" />
              </label>
              <button type="submit" data-testid="login" formAction={login}>
                Sign in
              </button>
            </form>
          </>
        )}
      </section>
      <h2>Counter</h2>
      <p>
        {'This session has counted to '}
        <output data-testid="count">{session.get('count') ?? 0}</output>.
      </p>
      <form method="post" action="/count">
        <button type="submit" data-testid="increment" formAction={count}>
          Count +1
        </button>
      </form>
      {user === undefined ? null : (
        <>
          <h2>{`Your active sessions (${list.length})`}</h2>
          <ul data-testid="session-list">
            {list.map((s) => (
              <li key={s.key} data-testid="session-item" data-current={String(s.current)} className={s.current ? 'current' : undefined}>
                <code>{s.key.slice(0, 12)}</code>
                {' signed in '}
                <Time ms={s.createdAtMs} />
                {', last active '}
                <Time ms={s.lastActiveAtMs} />
                {', expires '}
                <Time ms={s.expiresAtMs} />
                {s.current ? ' (this browser)' : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>JSON API</h2>
      <p>
        <code>GET /api/session</code> shows the session data; <code>PUT /api/data/:key</code> with a JSON body sets a key,{' '}
        <code>DELETE /api/data/:key</code> removes it. Every action above also answers JSON to{' '}
        <code>Accept: application/json</code>.
      </p>
    </>
  );
}

/**
 * User text through demo-kit's escaper, so the page carries the same bytes as the other
 * demos and the shared contract suite checks them unchanged (React writes `'` as `&#x27;`).
 */
function text(value: string) {
  return { dangerouslySetInnerHTML: { __html: escapeHtml(value) } };
}

function Time({ ms }: { ms: number }) {
  const iso = new Date(ms).toISOString();
  return <time dateTime={iso}>{`${iso.slice(0, 19).replace('T', ' ')} UTC`}</time>;
}
