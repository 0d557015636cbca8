import type Koa from 'koa';
import { describe, expectTypeOf, it } from 'vitest';
import { type ContextSession, session } from './index';

// What an app writes to type its session; checked by `tsc` (pnpm typecheck).
declare module '@sess/koa' {
  interface SessionData {
    user: string;
    cart: { items: number[] };
  }
  interface FlashData {
    notice: string;
  }
}

describe('ctx.session typing', () => {
  it('types ctx.session from the augmented SessionData, with no casts', () => {
    const app = {} as Koa;
    const typed: Parameters<typeof app.use>[0] = async (ctx) => {
      expectTypeOf(ctx.session).toEqualTypeOf<ContextSession>();
      expectTypeOf(await ctx.session.get('user')).toEqualTypeOf<string | undefined>();
      expectTypeOf(await ctx.session.get('cart')).toEqualTypeOf<{ items: number[] } | undefined>();
      expectTypeOf(await ctx.session.get('anything')).toEqualTypeOf<unknown>();
      expectTypeOf(await ctx.session.getFlash('notice')).toEqualTypeOf<string | undefined>();
      await ctx.session.set('user', 'alice');
      // @ts-expect-error: `user` is a string
      await ctx.session.set('user', 42);
    };
    expectTypeOf(typed).toBeFunction();
    expectTypeOf(session({ secret: 'x'.repeat(32) }).manager.open('').get('user')).resolves.toEqualTypeOf<
      string | undefined
    >();
  });
});
