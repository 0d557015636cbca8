import type { Session } from '@sess/core';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { describe, expectTypeOf, it } from 'vitest';
import { type ContextSession, getSession, type SessionEnv, type SessionVariables, session } from './index';

// Checked by `tsc` (pnpm typecheck); the module-augmentation way is in test/augmentation.

const SECRET = 'types-test-secret-0123456789abcdefghijklmnop';

interface Data {
  user: string;
  cart: { items: number[] };
}
interface Flash {
  notice: string;
}

describe('c.var.session typing through the Env generic', () => {
  it('types c.var.session and c.get("session") from the app Env, with no casts', () => {
    const app = new Hono<SessionEnv<Data, Flash>>();
    app.use(session<Data, Flash>({ secret: SECRET }));
    app.get('/', async (c) => {
      expectTypeOf(c.var.session).toEqualTypeOf<ContextSession<Data, Flash>>();
      expectTypeOf(c.get('session')).toEqualTypeOf<ContextSession<Data, Flash>>();
      const current = await c.var.session.load();
      expectTypeOf(current.get('user')).toEqualTypeOf<string | undefined>();
      expectTypeOf(current.get('cart')).toEqualTypeOf<{ items: number[] } | undefined>();
      expectTypeOf(current.getFlash('notice')).toEqualTypeOf<string | undefined>();
      current.set('user', 'ann');
      // @ts-expect-error: `user` is a string
      current.set('user', 42);
      // @ts-expect-error: the handle has only load(); forgetting the await is a type error
      c.var.session.get('user');
      return c.text('ok');
    });
  });

  it('infers the variables from the middleware when the app chains use()', () => {
    new Hono().use(session<Data, Flash>({ secret: SECRET })).get('/', async (c) => {
      expectTypeOf(c.var.session).toEqualTypeOf<ContextSession<Data, Flash>>();
      return c.text((await c.var.session.load()).get('user') ?? 'stranger');
    });
  });

  it('merges with the variables of other middleware', () => {
    const auth = createMiddleware<{ Variables: { requestId: string } }>(async (c, next) => {
      c.set('requestId', 'r1');
      await next();
    });
    const app = new Hono<{ Variables: SessionVariables<Data, Flash> & { requestId: string } }>();
    app.use(auth, session<Data, Flash>({ secret: SECRET }));
    app.get('/', (c) => {
      expectTypeOf(c.var.requestId).toEqualTypeOf<string>();
      expectTypeOf(c.var.session).toEqualTypeOf<ContextSession<Data, Flash>>();
      return c.text('ok');
    });
  });

  it('types getSession(c) from the app Env', () => {
    const app = new Hono<SessionEnv<Data, Flash>>();
    app.use(session<Data, Flash>({ secret: SECRET }));
    app.get('/', async (c) => {
      expectTypeOf(await getSession(c)).toEqualTypeOf<Session<Data, Flash>>();
      return c.text('ok');
    });
  });
});

describe('configuring from the Workers env', () => {
  interface Bindings {
    SESSION_SECRET: string;
    KV: { get(key: string): Promise<string | null> };
  }

  it('accepts a function of the env on a Hono app typed with Bindings, with no casts', () => {
    const app = new Hono<{ Bindings: Bindings; Variables: SessionVariables<Data, Flash> }>();
    app.use(session<Data, Flash, Bindings>((env) => ({ secret: env.SESSION_SECRET })));
    app.use(session((env: Bindings) => ({ secret: env.SESSION_SECRET })));
    app.get('/', async (c) => {
      expectTypeOf(c.env.SESSION_SECRET).toEqualTypeOf<string>();
      expectTypeOf(c.var.session).toEqualTypeOf<ContextSession<Data, Flash>>();
      return c.text((await c.var.session.load()).get('user') ?? 'stranger');
    });
  });

  it('types c.var.session on a Hono app with Bindings only, when the app chains use()', () => {
    new Hono<{ Bindings: Bindings }>()
      .use(session<Data, Flash, Bindings>((env) => ({ secret: env.SESSION_SECRET })))
      .get('/', async (c) => {
        expectTypeOf(c.env.KV).toEqualTypeOf<Bindings['KV']>();
        expectTypeOf(c.var.session).toEqualTypeOf<ContextSession<Data, Flash>>();
        return c.text('ok');
      });
  });

  it('accepts module-scope options, or a function of the env, on a Hono app typed with Bindings only', () => {
    const app = new Hono<{ Bindings: Bindings }>();
    app.use(session({ secret: SECRET }));
    app.use(session((env: Bindings) => ({ secret: env.SESSION_SECRET })));
  });
});
