import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyCommitHeaders, type SessionManager, settleRequest } from '@sess/core/adapter';
import { commitBeforeFirstByte, nodeHeaders } from '@sess/core/node';
import type { GetServerSidePropsContext, NextApiRequest, NextApiResponse } from 'next';
import { managerAtFirstUse, type NextSessionsOptions } from './first-use';
import type { AppFlashData, AppSessionData, NextSessionHandle } from './index';
import { OPEN_OPTIONS } from './shared';

export type { NextSessionsOptions } from './first-use';

/** The part of `getServerSideProps`' context the session needs. */
export interface ServerSidePropsContext {
  req: IncomingMessage;
  res: ServerResponse;
}

/** `createPagesSessions()`: sessions for the Pages Router. */
export interface PagesSessions {
  /**
   * Wraps an API route (`pages/api/*`): the handler gets `req`, `res` and the session
   * handle (`await session.load()`). The session is committed when the response starts (the core's
   * `commitBeforeFirstByte`), so a redirect leaves only once the write is stored and a
   * streamed body starts after its `Set-Cookie`. A failing commit answers with its
   * status (503 for a store outage) instead of the handler's response.
   */
  api<Req extends IncomingMessage = NextApiRequest, Res extends ServerResponse = NextApiResponse>(
    handler: (req: Req, res: Res, session: NextSessionHandle) => unknown,
  ): (req: Req, res: Res) => Promise<void>;
  /**
   * Wraps `getServerSideProps`: the handler gets the context and the session handle;
   * the session is committed when it returns, before the page renders.
   */
  getServerSideProps<Context extends ServerSidePropsContext = GetServerSidePropsContext, Result = unknown>(
    handler: (context: Context, session: NextSessionHandle) => Promise<Result>,
  ): (context: Context) => Promise<Result>;
  /** The session manager; share it with `createSessions` when the app has both routers. */
  readonly manager: SessionManager<AppSessionData, AppFlashData>;
}

/**
 * Sessions for the Next.js Pages Router, over Node's `req`/`res` (the same commit
 * point as `@sess/express`, from `@sess/core/node`).
 *
 * @example
 * // pages/api/count.ts
 * export default pages.api(async (req, res, handle) => {
 *   const session = await handle.load();
 *   session.set('count', (session.get('count') ?? 0) + 1);
 *   res.json({ count: session.get('count') });
 * });
 */
export function createPagesSessions(options: NextSessionsOptions | SessionManager<AppSessionData, AppFlashData>): PagesSessions {
  const manager = managerAtFirstUse<AppSessionData, AppFlashData>(options, 'createPagesSessions()');

  function api<Req extends IncomingMessage = NextApiRequest, Res extends ServerResponse = NextApiResponse>(
    handler: (req: Req, res: Res, session: NextSessionHandle) => unknown,
  ): (req: Req, res: Res) => Promise<void> {
    return async function sessionApiRoute(req: Req, res: Res): Promise<void> {
      const handle = manager.open(req.headers.cookie, OPEN_OPTIONS);
      commitBeforeFirstByte(
        res,
        (status) => settleRequest(manager, handle, { status }),
        (answer) => {
          res.statusCode = answer.status;
          for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
          res.setHeader('Content-Type', 'text/plain; charset=utf-8');
          res.end(answer.status === 503 ? 'The session store is unavailable.' : 'The session could not be saved.');
        },
      );
      // A thrown error reaches Next, whose 500 answer commits (and so persists nothing).
      await handler(req, res, handle);
    };
  }

  function getServerSideProps<Context extends ServerSidePropsContext = GetServerSidePropsContext, Result = unknown>(
    handler: (context: Context, session: NextSessionHandle) => Promise<Result>,
  ): (context: Context) => Promise<Result> {
    return async function sessionGetServerSideProps(context: Context): Promise<Result> {
      const handle = manager.open(context.req.headers.cookie, OPEN_OPTIONS);
      let result: Result;
      try {
        result = await handler(context, handle);
      } catch (error) {
        // Next answers whatever getServerSideProps throws with its 500 page.
        const settled = await settleRequest(manager, handle, { error, status: 500 });
        if (settled.send === 'handler') applyCommitHeaders(settled.commit, nodeHeaders(context.res));
        throw error;
      }
      const status = isObject(result) && 'redirect' in result ? 307 : isObject(result) && 'notFound' in result ? 404 : 200;
      const settled = await settleRequest(manager, handle, { status });
      // Next renders its error page for what getServerSideProps throws: the store's 503 or 413.
      if (settled.send === 'error') throw settled.error;
      applyCommitHeaders(settled.commit, nodeHeaders(context.res));
      return result;
    };
  }

  return { api, getServerSideProps, manager };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
