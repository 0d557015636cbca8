import { describe, expect, it } from 'vitest';
import { escapeHtml, MAX_LISTED_SESSIONS, type PageView, renderPage } from './page';

const at = new Date('2026-01-02T03:04:05Z');
const signedOut: PageView = { framework: 'Test', storeMode: 'memory', user: undefined, count: 0, notices: [], sessions: [] };

describe('renderPage', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('shows a visitor the sign-in form and the counter, and no session list', () => {
    const html = renderPage({ ...signedOut, count: 7 });
    expect(html).toContain('data-testid="signed-out"');
    expect(html).toContain('<form method="post" action="/login">');
    expect(html).toContain('<form method="post" action="/count">');
    expect(html).toContain('<output data-testid="count">7</output>');
    expect(html).not.toContain('data-testid="session-list"');
    expect(html).not.toContain('action="/logout"');
  });

  it('shows a signed-in user both sign-out buttons and their sessions, marking this browser', () => {
    const html = renderPage({
      ...signedOut,
      user: 'alice',
      sessions: [
        { key: 'aaaaaaaaaaaaaaaa', createdAt: at, lastActiveAt: at, expiresAt: at, current: false },
        { key: 'bbbbbbbbbbbbbbbb', createdAt: at, lastActiveAt: at, expiresAt: at, current: true },
      ],
    });
    expect(html).toContain('<strong data-testid="user">alice</strong>');
    expect(html).toContain('<form method="post" action="/logout">');
    expect(html).toContain('<form method="post" action="/logout-all">');
    expect(html).toContain('Your active sessions (2)');
    expect(html.match(/data-testid="session-item"/g)).toHaveLength(2);
    expect(html).toMatch(/data-current="true" class="current"><code>bbbbbbbbbbbb<\/code>/);
    expect(html).toContain('<time datetime="2026-01-02T03:04:05.000Z">2026-01-02 03:04:05 UTC</time>');
    expect(html).not.toContain('data-testid="login"');
  });

  it('escapes everything it renders from user input', () => {
    const hostile = `<script>alert("x")</script>'&`;
    const html = renderPage({
      ...signedOut,
      framework: hostile,
      user: hostile,
      notices: [hostile],
      sessions: [{ key: hostile, createdAt: at, lastActiveAt: at, expiresAt: at, current: true }],
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('<strong data-testid="user">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;</strong>');
    expect(html).toContain('data-testid="flash">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;</p>');
  });

  it('lists at most 20 of 3,000 sessions (this browser and the most recently active), with the count of the rest', () => {
    const sessions = Array.from({ length: 3000 }, (_, i) => ({
      key: `s${String(i).padStart(5, '0')}-abcdefghij`,
      createdAt: new Date(at.getTime() + i * 1000),
      lastActiveAt: new Date(at.getTime() + i * 1000),
      expiresAt: at,
      current: i === 7,
    }));
    const html = renderPage({ ...signedOut, user: 'alice', sessions });
    expect(html).toContain('Your active sessions (3000)');
    expect(html.match(/data-testid="session-item"/g)).toHaveLength(MAX_LISTED_SESSIONS);
    expect(html).toContain('<code>s00007-abcde</code>'); // this browser's, though one of the oldest
    expect(html).toContain('<code>s02999-abcde</code>'); // the most recently active
    expect(html).not.toContain('<code>s02979-abcde</code>');
    expect(html).toContain('And 2980 more, not listed');
    expect(html.length).toBeLessThan(20_000);
  });
});
