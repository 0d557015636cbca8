import type { DemoRedisDriver } from './config';
import type { StoreMode } from './store';

/** What the page shows; built per request by `handlers.page`. */
export interface PageView {
  /** 'Express', 'Koa'... */
  framework: string;
  storeMode: StoreMode;
  /** The Redis client, for the `redis` mode. */
  storeDriver?: DemoRedisDriver | undefined;
  user: string | undefined;
  count: number;
  /** Flash messages, read once. */
  notices: string[];
  /** This user's live sessions (empty when signed out). */
  sessions: PageSession[];
}

export interface PageSession {
  /** The store key (a SHA-256 digest of the id, safe to show). */
  key: string;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  /** The session of the browser looking at the page. */
  current: boolean;
}

/**
 * How many sessions the page lists: a user signed in 3,000 times must not make it weigh a
 * megabyte. This browser's session is always among them, with the most recently active others.
 */
export const MAX_LISTED_SESSIONS = 20;

/** The sessions the page lists, in the order given: this browser's and the most recently active others. */
export function listedSessions(sessions: readonly PageSession[], limit = MAX_LISTED_SESSIONS): PageSession[] {
  if (sessions.length <= limit) return [...sessions];
  const byActivity = [...sessions].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.lastActiveAt.getTime() - a.lastActiveAt.getTime(),
  );
  const kept = new Set(byActivity.slice(0, limit));
  return sessions.filter((s) => kept.has(s));
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** Tags a template so every interpolated value is escaped unless it is already `Html`. */
class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, index) => {
    out += render(value) + strings[index + 1]!;
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

function time(date: Date): Html {
  return html`<time datetime="${date.toISOString()}">${date.toISOString().slice(0, 19).replace('T', ' ')} UTC</time>`;
}

/** The whole page: plain HTML, real forms, no script, so it works with any adapter. */
export function renderPage(view: PageView): string {
  const signedIn = view.user !== undefined;
  const listed = listedSessions(view.sessions);
  const body = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sess · ${view.framework} demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  .badge { font-size: .8rem; padding: .1rem .5rem; border-radius: 1rem; background: #eef; }
  .notice { padding: .5rem 1rem; background: #efe; border-left: 4px solid #4a4; }
  form { display: inline-block; margin: .25rem .5rem .25rem 0; }
  button { font: inherit; padding: .25rem .75rem; cursor: pointer; }
  li.current { font-weight: 600; } code { font-size: .85rem; }
</style>
</head>
<body>
<h1>sess · ${view.framework} demo <span class="badge" data-testid="store-mode">${view.storeMode} store</span>${
    view.storeDriver === undefined ? '' : html` <span class="badge" data-testid="store-driver">on ${view.storeDriver}</span>`
  }</h1>
${view.notices.map((notice) => html`<p class="notice" role="status" data-testid="flash">${notice}</p>`)}
<section>
${
  signedIn
    ? html`<p>Signed in as <strong data-testid="user">${view.user}</strong></p>
<form method="post" action="/logout"><button type="submit" data-testid="logout">Sign out</button></form>
<form method="post" action="/logout-all"><button type="submit" data-testid="logout-all">Sign out everywhere</button></form>`
    : html`<p data-testid="signed-out">You are not signed in.</p>
<form method="post" action="/login">
  <label>Name <input name="user" required maxlength="64" autocomplete="username" data-testid="login-user"></label>
  <button type="submit" data-testid="login">Sign in</button>
</form>`
}
</section>
<h2>Counter</h2>
<p>This session has counted to <output data-testid="count">${view.count}</output>.</p>
<form method="post" action="/count"><button type="submit" data-testid="increment">Count +1</button></form>
${
  signedIn
    ? html`<h2>Your active sessions (${view.sessions.length})</h2>
<ul data-testid="session-list">
${listed.map(
  (
    s,
  ) => html`  <li data-testid="session-item" data-current="${s.current}"${s.current ? html` class="current"` : ''}><code>${s.key.slice(0, 12)}</code>
    signed in ${time(s.createdAt)}, last active ${time(s.lastActiveAt)}, expires ${time(s.expiresAt)}${s.current ? ' (this browser)' : ''}</li>
`,
)}</ul>${
        listed.length < view.sessions.length
          ? html`
<p data-testid="sessions-not-listed">And ${view.sessions.length - listed.length} more, not listed: "Sign out everywhere" ends them all.</p>`
          : ''
      }`
    : ''
}
<h2>JSON API</h2>
<p><code>GET /api/session</code> shows the session data; <code>PUT /api/data/:key</code> with a JSON body sets a key, <code>DELETE /api/data/:key</code> removes it. Every action above also answers JSON to <code>Accept: application/json</code>.</p>
</body>
</html>
`;
  return body.text;
}
