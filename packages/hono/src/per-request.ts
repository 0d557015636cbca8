/*
 * Spots `app.use((c, next) => session({ ... })(c, next))`: a middleware, and so a manager
 * and (by default) a memory store, created for each request. A middleware that sees its
 * first request in the same turn it was created, with a session cookie already on that
 * request, is one; twice in an isolate is the pattern, not a restart.
 */

/** Fresh middlewares met by a session cookie before the warning: one is a restarted process. */
const PER_REQUEST_SIGHTINGS_TO_WARN = 2;
let sightings = 0;
let warned = false;

/** Call when `session()` creates a middleware; the result says whether now is still that turn. */
export function creationTurn(): () => boolean {
  let current = true;
  queueMicrotask(() => {
    current = false;
  });
  return () => current;
}

/** A middleware created in this very turn got a request that carries its cookie. */
export function sightedPerRequestMiddleware(): void {
  sightings += 1;
  if (warned || sightings < PER_REQUEST_SIGHTINGS_TO_WARN) return;
  warned = true;
  console.warn(
    '@sess/hono: session() is being created inside a request, once per request: each request gets a new session manager ' +
      'and, with the default memory store, a new empty store, so every session is lost. Create it once, at module scope: ' +
      'app.use(session(options)); to configure it from the Worker env, pass a function of it, ' +
      'app.use(session((env: Bindings) => ({ secret: env.SESSION_SECRET }))), which builds the manager on the first request only.',
  );
}
