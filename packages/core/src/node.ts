/**
 * Node `http` helpers shared by the adapters that see Node's `req`/`res` (Express,
 * the Next.js Pages Router). Typed structurally, so the core imports nothing from
 * `node:` and stays runtime-agnostic.
 */
import type { HeaderAccess } from './response';

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
/** Headers that describe the handler's response, dropped when an error response replaces it. */
const ABANDONED_HEADERS = ['Location', 'Content-Length', 'Content-Type', 'ETag'];

/**
 * The commit point for Node responses. Node has no hook after the handler, so the
 * first call that would start sending the response (`writeHead`, `write` or `end`,
 * which is also what `res.send`, `res.json`, `res.redirect` and piped streams end up
 * calling) is held, with every call after it, until the session is committed. Then
 * the commit headers are set and the held calls replayed in order. So a redirect
 * after a sign-in leaves only once the sign-in is stored, and a streamed body starts
 * after its Set-Cookie.
 *
 * While held, `write` answers `true` (keep writing): the chunks wait in memory for at
 * most the store timeout. When the commit fails the held calls are dropped and the
 * error goes to `fail` (Express: `next(err)`), so the framework's error handling
 * answers instead (store errors carry status 503, an oversized session 413).
 */
export function commitBeforeFirstByte(
  res: NodeResponse,
  commit: (status: number) => Promise<void>,
  fail: (error: unknown) => void,
): void {
  // One small object per response and three shared functions (no closures): this runs
  // on every request.
  const holder: Holder = {
    original: { writeHead: res.writeHead, write: res.write, end: res.end },
    held: [],
    state: 'open',
    commit,
    fail,
  };
  (res as HeldResponse)[HOLDER] = holder;
  res.writeHead = heldWriteHead as NodeResponse['writeHead'];
  res.write = heldWrite as NodeResponse['write'];
  res.end = heldEnd as NodeResponse['end'];
}

const HOLDER = Symbol('@sess/core: held response');

interface Holder {
  readonly original: Record<HeldCall, (...args: never[]) => unknown>;
  readonly held: [HeldCall, unknown[]][];
  state: 'open' | 'committing' | 'sent';
  readonly commit: (status: number) => Promise<void>;
  readonly fail: (error: unknown) => void;
}

type HeldResponse = NodeResponse & { [HOLDER]?: Holder };

function heldWriteHead(this: HeldResponse, ...args: unknown[]): unknown {
  return hold(this, 'writeHead', args);
}

function heldWrite(this: HeldResponse, ...args: unknown[]): unknown {
  return hold(this, 'write', args);
}

function heldEnd(this: HeldResponse, ...args: unknown[]): unknown {
  return hold(this, 'end', args);
}

function hold(res: HeldResponse, call: HeldCall, args: unknown[]): unknown {
  const holder = res[HOLDER];
  if (holder === undefined) throw new TypeError(`@sess/core: a held response method (${call}) was called on another object.`);
  // Stays a pass-through afterwards: later middleware may have wrapped us.
  if (holder.state === 'sent') return Reflect.apply(holder.original[call], res, args);
  holder.held.push([call, args]);
  if (holder.state === 'open') {
    holder.state = 'committing';
    const status = call === 'writeHead' && typeof args[0] === 'number' ? args[0] : res.statusCode;
    holder
      .commit(status)
      .then(() => {
        holder.state = 'sent';
        for (const [heldCall, heldArgs] of holder.held.splice(0)) Reflect.apply(holder.original[heldCall], res, heldArgs);
      })
      .catch((error: unknown) => {
        holder.state = 'sent';
        holder.held.length = 0;
        // The abandoned response must not leak into the error response.
        if (!res.headersSent) for (const name of ABANDONED_HEADERS) res.removeHeader(name);
        holder.fail(error);
      });
  }
  return call === 'write' ? true : res;
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
