/**
 * What happens after the handler, decided once for every adapter. The adapter says
 * how the handler ended; `settleRequest` commits the session and says what to send.
 *
 * | the handler's answer        | the commit      | what is sent                                        |
 * | --------------------------- | --------------- | --------------------------------------------------- |
 * | 1xx, 2xx, 3xx               | succeeds        | the handler's response, with the commit's headers   |
 * | 1xx, 2xx, 3xx               | fails           | the commit's error instead (503 + Retry-After, 413) |
 * | 4xx, 5xx, or a thrown error | succeeds        | the handler's answer, with the commit's headers     |
 * | 4xx, 5xx, or a thrown error | fails           | the handler's answer; the failure goes to `onError` |
 *
 * A success whose write was lost must not reach the client (a redirect after a sign-in
 * that was not stored would lie); an error the handler chose already tells the client
 * nothing was done, and is more precise than the store's.
 */
import { type CommitResult, NOTHING_TO_SEND, type SessionHandle, type SessionManager } from './manager';
import { statusOfError } from './response';

/** How the handler ended, as the adapter saw it. */
export type HandlerOutcome =
  /** It answered, with this status. */
  | { status: number; error?: undefined }
  /** It threw; `status` is the answer the framework gives that error. @default statusOfError(error) */
  | { error: unknown; status?: number };

/** What the adapter sends, as `settleRequest` decided it. */
export type Settlement = HandlerAnswer | ErrorAnswer;

/** Send the handler's answer (its response, or its error), with the commit's headers. */
export interface HandlerAnswer {
  send: 'handler';
  commit: CommitResult;
}

/**
 * Send an error response instead of the handler's: the commit of a successful answer
 * failed. Drop `REPLACED_RESPONSE_HEADERS` from what the handler set, then answer
 * `status` with `headers` (`Retry-After` for a store outage), or hand `error` to the
 * framework's error handling, which reads the same `status` and `headers` from it.
 */
export interface ErrorAnswer {
  send: 'error';
  error: Error;
  status: number;
  headers: Readonly<Record<string, string>>;
}

/**
 * The headers that describe the handler's response, removed when an error response
 * replaces it: where it sent the client, its body's shape and validators, how long it
 * may be cached (a cached 503 would outlast the outage), and the cookies of an answer
 * that did not happen. Headers the app sets on every response (CORS, security) stay.
 */
export const REPLACED_RESPONSE_HEADERS: readonly string[] = Object.freeze([
  'Location',
  'Refresh',
  'Set-Cookie',
  'Content-Type',
  'Content-Length',
  'Content-Encoding',
  'Content-Language',
  'Content-Disposition',
  'Content-Location',
  'Content-Range',
  'ETag',
  'Last-Modified',
  'Cache-Control',
  'Expires',
]);

/**
 * Commits `handle` with the handler's outcome and says what to send (see the table
 * above). Never rejects: a failing commit is either the answer or reported through the
 * manager's `onError`.
 */
export async function settleRequest<Data extends object, Flash extends object>(
  manager: SessionManager<Data, Flash>,
  handle: SessionHandle<Data, Flash>,
  outcome: HandlerOutcome,
): Promise<Settlement> {
  const status = outcome.status ?? statusOfError(outcome.error);
  try {
    return { send: 'handler', commit: await manager.commit(handle, { status }) };
  } catch (thrown) {
    const answer = errorAnswer(thrown);
    if (status >= 400) {
      // Never silent: the handler's error is the answer, the lost write goes to the operator.
      // (`reportError` may be missing on a manager from an older copy of the package.)
      if (typeof manager.reportError === 'function') manager.reportError(answer.error);
      else console.error(answer.error);
      return { send: 'handler', commit: NOTHING_TO_SEND };
    }
    return answer;
  }
}

/** The error response for `thrown`: its own 4xx/5xx status (else 500) and headers. */
export function errorAnswer(thrown: unknown): ErrorAnswer {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown), { cause: thrown });
  return { send: 'error', error, status: statusOfError(error), headers: headersOf(error) };
}

/** The headers an error asks its response to carry (`SessionStoreError`'s `Retry-After`). */
function headersOf(error: Error): Readonly<Record<string, string>> {
  const headers: unknown = (error as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
