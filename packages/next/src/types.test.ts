import type { GetServerSidePropsContext, NextApiRequest, NextApiResponse } from 'next';
import { describe, expectTypeOf, it } from 'vitest';
import { createSessions, type NextSession, type NextSessionHandle, type ReadonlyNextSession } from './index';
import { createPagesSessions } from './pages';
import { createSessionProxy } from './proxy';

// What an app writes to type its sessions; checked by `tsc` (pnpm typecheck).
declare module '@sess/next' {
  interface SessionData {
    user: string;
    count: number;
    cart: { items: number[] };
  }
  interface FlashData {
    notice: string;
  }
}

const SECRET = 'next-types-test-secret-0123456789abcdef0123';

describe('session typing', () => {
  it('types every context from the augmented SessionData and FlashData, with no casts', () => {
    const sessions = createSessions({ secret: SECRET });
    const typedPage = async () => {
      const session = await sessions.read();
      expectTypeOf(session).toEqualTypeOf<ReadonlyNextSession>();
      expectTypeOf(session.get('count')).toEqualTypeOf<number | undefined>();
      expectTypeOf(session.getFlash('notice')).toEqualTypeOf<string | undefined>();
      // @ts-expect-error: a Server Component cannot write the session
      session.set('count', 1);
    };
    const typedAction = sessions.action(async (handle, amount: number) => {
      expectTypeOf(handle).toEqualTypeOf<NextSessionHandle>();
      const session = await handle.load();
      expectTypeOf(session).toEqualTypeOf<NextSession>();
      session.set('count', amount);
      // @ts-expect-error: `count` is a number
      session.set('count', 'one');
      // @ts-expect-error: a forgotten `await`: the handle has only load()
      handle.get('count');
      return session.get('cart');
    });
    expectTypeOf(typedAction).toEqualTypeOf<(amount: number) => Promise<{ items: number[] } | undefined>>();
    const typedRoute = sessions.route(async (_request, handle) => Response.json((await handle.load()).get('user') ?? null));
    expectTypeOf(typedRoute).parameter(0).toEqualTypeOf<Request>();
    // Type-checked, never run: a proxy needs a real request.
    const typedProxy = (request: Parameters<ReturnType<typeof createSessionProxy>>[0]) =>
      createSessionProxy(sessions.manager)(request, (session) => {
        expectTypeOf(session.get('user')).toEqualTypeOf<string | undefined>();
        return undefined;
      });
    expectTypeOf(typedProxy).returns.resolves.toEqualTypeOf<Response>();
    createPagesSessions(sessions.manager).api(async (_req, _res, handle) => {
      expectTypeOf((await handle.load()).get('cart')).toEqualTypeOf<{ items: number[] } | undefined>();
    });
    expectTypeOf(typedPage).toBeFunction();
  });

  it("types a Pages Router API route's req and res as Next's NextApiRequest and NextApiResponse by default", () => {
    const pages = createPagesSessions(createSessions({ secret: SECRET }).manager);
    const route = pages.api(async (req, res, handle) => {
      expectTypeOf(req).toEqualTypeOf<NextApiRequest>();
      expectTypeOf(res).toEqualTypeOf<NextApiResponse>();
      // The README's example: `res.json` exists on NextApiResponse, not on Node's ServerResponse.
      res.status(200).json({ count: (await handle.load()).get('count') ?? 0, query: req.query });
    });
    expectTypeOf(route).parameters.toEqualTypeOf<[NextApiRequest, NextApiResponse]>();
    const props = pages.getServerSideProps(async (context, handle) => {
      expectTypeOf(context).toEqualTypeOf<GetServerSidePropsContext>();
      return { props: { user: (await handle.load()).get('user') ?? null } };
    });
    expectTypeOf(props).returns.resolves.toEqualTypeOf<{ props: { user: string | null } }>();
  });
});
