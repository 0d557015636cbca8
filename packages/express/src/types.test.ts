import type { Request } from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import { type RequestSession, session } from './index';

// What an app writes to type its session; checked by `tsc` (pnpm typecheck).
declare module '@sess/express' {
  interface SessionData {
    user: string;
    cart: { items: number[] };
  }
  interface FlashData {
    notice: string;
  }
}

describe('req.session typing', () => {
  it('types req.session from the augmented SessionData, with no casts', async () => {
    const typed = async (req: Request) => {
      expectTypeOf(req.session).toEqualTypeOf<RequestSession>();
      expectTypeOf(await req.session.get('user')).toEqualTypeOf<string | undefined>();
      expectTypeOf(await req.session.get('cart')).toEqualTypeOf<{ items: number[] } | undefined>();
      expectTypeOf(await req.session.get('anything')).toEqualTypeOf<unknown>();
      expectTypeOf(await req.session.getFlash('notice')).toEqualTypeOf<string | undefined>();
      await req.session.set('user', 'alice');
      // @ts-expect-error: `user` is a string
      await req.session.set('user', 42);
      // @ts-expect-error: `notice` is a string
      await req.session.flash('notice', 1);
    };
    expectTypeOf(typed).toBeFunction();
    expectTypeOf(session({ secret: 'x'.repeat(32) }).manager.open('').get('user')).resolves.toEqualTypeOf<
      string | undefined
    >();
  });
});
