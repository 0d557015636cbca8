/**
 * Node `http` helpers shared by the adapters that see Node's `req`/`res` (Express,
 * the Next.js Pages Router). Typed structurally, so the core imports nothing from
 * `node:` and stays runtime-agnostic.
 */
import { applyCommitHeaders, type HeaderAccess } from './response';
import { type ErrorAnswer, errorAnswer, REPLACED_RESPONSE_HEADERS, type Settlement } from './settle';

export type { HeaderAccess } from './response';
export type { ErrorAnswer, Settlement } from './settle';

/** The parts of Node's `ServerResponse` the helpers use. */
export interface NodeResponse {
  statusCode: number;
  readonly headersSent: boolean;
  writeHead(...args: never[]): unknown;
  write(...args: never[]): unknown;
  end(...args: never[]): unknown;
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  appendHeader(name: string, value: string | readonly string[]): unknown;
  removeHeader(name: string): void;
}

type HeldCall = 'writeHead' | 'write' | 'end';

/**
 * The commit point for Node responses. Node has no hook after the handler, so the
 * first call that would start sending the response (`writeHead`, `write` or `end`,
 * which is also what `res.send`, `res.json`, `res.redirect` and piped streams end up
 * calling) is held, with every call after it, until `settle` (the adapter's call of
 * `settleRequest` with that status) resolves. Then the commit headers are set and the
 * held calls replayed in order. So a redirect after a sign-in leaves only once the
 * sign-in is stored, and a streamed body starts after its Set-Cookie.
 *
 * While held, `write` answers `true` (keep writing): the chunks wait in memory for at
 * most the store timeout. When the settlement is an `ErrorAnswer` the held calls are
 * dropped, with the headers of the abandoned response, and `answerError` answers
 * instead (Express: `next(error)`, whose handler reads the error's 503 or 413).
 */
export function commitBeforeFirstByte(
  res: NodeResponse,
  settle: (status: number) => Promise<Settlement>,
  answerError: (answer: ErrorAnswer) => void,
): void {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  const held: [HeldCall, unknown[]][] = [];
  let state: 'open' | 'committing' | 'sent' = 'open';
  const replay = (call: HeldCall, args: unknown[]): unknown => Reflect.apply(original[call], res, args);

  const withHeaders = (settlement: Settlement): Settlement => {
    if (settlement.send === 'handler') applyCommitHeaders(settlement.commit, nodeHeaders(res));
    return settlement;
  };
  const send = (settlement: Settlement): void => {
    state = 'sent';
    if (settlement.send === 'handler') {
      for (const [call, args] of held.splice(0)) replay(call, args);
      return;
    }
    held.length = 0;
    if (!res.headersSent) for (const name of REPLACED_RESPONSE_HEADERS) res.removeHeader(name);
    answerError(settlement);
  };

  const hold = (call: HeldCall) =>
    function heldUntilCommitted(...args: unknown[]): unknown {
      // Stays a pass-through afterwards: later middleware may have wrapped us.
      if (state === 'sent') return replay(call, args);
      held.push([call, args]);
      if (state === 'open') {
        state = 'committing';
        // Setting the headers fails only when something sent the head behind our back.
        settle(call === 'writeHead' && typeof args[0] === 'number' ? args[0] : res.statusCode)
          .then(withHeaders)
          .catch(errorAnswer)
          .then(send);
      }
      return call === 'write' ? true : res;
    };

  res.writeHead = hold('writeHead') as NodeResponse['writeHead'];
  res.write = hold('write') as NodeResponse['write'];
  res.end = hold('end') as NodeResponse['end'];
}

/** Node's response headers, as `applyCommitHeaders` reads and writes them. */
export function nodeHeaders(res: NodeResponse): HeaderAccess {
  return {
    get(name) {
      const value = res.getHeader(name);
      return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
    },
    set: (name, value) => void res.setHeader(name, value),
    append: (name, value) => void res.appendHeader(name, value),
  };
}
