import type { CommitResult } from './manager';

/** Response headers as `applyCommitHeaders` reads and writes them; every framework can provide this. */
export interface HeaderAccess {
  get(name: string): string | null | undefined;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
}

/**
 * Writes a commit result onto the response: appends the Set-Cookie values, adds
 * `Cookie` to `Vary` when the session was loaded, and keeps the response out of
 * shared caches when it sets a cookie or shows a stored session.
 */
export function applyCommitHeaders(result: CommitResult, headers: HeaderAccess): void {
  for (const value of result.setCookie) headers.append('Set-Cookie', value);
  if (result.vary) {
    const vary = headers.get('Vary');
    if (!vary) headers.set('Vary', 'Cookie');
    else if (!/(^|,)\s*(cookie|\*)\s*(,|$)/i.test(vary)) headers.set('Vary', `${vary}, Cookie`);
  }
  if (result.private) headers.set('Cache-Control', privateCacheControl(headers.get('Cache-Control')));
}

/** Drops `public` and `s-maxage`, and adds `private` unless `no-store` already forbids storing. */
export function privateCacheControl(current: string | null | undefined): string {
  if (current === undefined || current === null || current === '') return 'private';
  const directives = current
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '' && !/^(public|s-maxage=.*)$/i.test(d));
  if (!directives.some((d) => /^(private|no-store)$/i.test(d))) directives.unshift('private');
  return directives.join(', ');
}

/**
 * The status a framework answers an error with: its own 4xx/5xx `status` or
 * `statusCode` (http-errors, Koa, Hono's HTTPException, our store errors), else 500.
 * Adapters pass it as the outcome of a request whose handler threw, so every
 * framework applies the same failure rule.
 */
export function statusOfError(error: unknown): number {
  if (typeof error !== 'object' || error === null) return 500;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value < 600 ? value : 500;
}
