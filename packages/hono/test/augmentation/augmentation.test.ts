import { type ContextSession, session } from '@sess/hono';
import { Hono } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';

// The opt-in way: augment once, then every Hono app in the program types c.var.session.
// Its own tsconfig, so the augmentation does not leak into the other tests' types.
declare module '@sess/hono' {
  interface SessionData {
    user: string;
    count: number;
  }
  interface FlashData {
    notice: string;
  }
}

declare module 'hono' {
  interface ContextVariableMap {
    session: ContextSession;
  }
}

describe('c.var.session typing through module augmentation', () => {
  it('types c.get("session") and c.var.session on a plain new Hono()', () => {
    const app = new Hono();
    app.use(session({ secret: 'types-test-secret-0123456789abcdefghijklmnop' }));
    app.post('/', async (c) => {
      expectTypeOf(c.get('session')).toEqualTypeOf<ContextSession>();
      expectTypeOf(c.var.session).toEqualTypeOf<ContextSession>();
      const current = await c.var.session.load();
      expectTypeOf(current.get('count')).toEqualTypeOf<number | undefined>();
      expectTypeOf(current.getFlash('notice')).toEqualTypeOf<string | undefined>();
      // @ts-expect-error: `count` is a number
      current.set('count', 'one');
      return c.text('ok');
    });
  });
});
