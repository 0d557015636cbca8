'use client';

/**
 * What a page shows when its render fails. A store outage normally never gets here (the
 * proxy answers 503 before the page renders); a store that fails between the proxy and the
 * page does, and then the visitor reads what happened instead of Next's bare error page.
 */
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <>
      <p role="alert">The page could not be shown: the session store may be unavailable. Try again shortly.</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </>
  );
}
