import type { Request } from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import { type RequestSession, session } from './index';

// What an app writes to type its session; checked by `tsc` (pnpm typecheck).
declare module '@sess/express' {
  interface SessionData {
    user: string;
    cart: { items: number[] };
    since: Date;
  }
  interface FlashData {
    notice: string;
  }
}

describe('req.session typing', () => {
  it('types req.session from the augmented SessionData, with no casts, and reads synchronously after one load', async () => {
    const typed = async (req: Request) => {
      expectTypeOf(req.session).toEqualTypeOf<RequestSession>();
      const session = await req.session.load();
      expectTypeOf(session.get('user')).toEqualTypeOf<string | undefined>();
      expectTypeOf(session.get('cart')).toEqualTypeOf<{ items: number[] } | undefined>();
      expectTypeOf(session.getFlash('notice')).toEqualTypeOf<string | undefined>();
      session.set('user', 'alice');
      // @ts-expect-error: `user` is a string
      session.set('user', 42);
      // @ts-expect-error: only declared keys once SessionData is augmented
      session.get('anything');
      // @ts-expect-error: `notice` is a string
      session.flash('notice', 1);
      // @ts-expect-error: forgetting the await on load() is a type error, not "[object Promise]"
      req.session.load().get('user');
      // @ts-expect-error: a Date would come back as a string under the JSON serializer
      session.set('since', new Date());
    };
    expectTypeOf(typed).toBeFunction();
  });

  it('rejects unknown options at compile time', () => {
    // @ts-expect-error: express-session's `resave` does not exist here
    expectTypeOf(() => session({ secret: 'a-long-enough-secret-0123456789-abcdef', resave: false })).toBeFunction();
  });
});
