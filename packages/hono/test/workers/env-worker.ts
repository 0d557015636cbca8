/*
 * A Worker configured from its env the two ways the README shows, served by workerd
 * across many requests in one isolate (test/workers.test.ts): sessions must survive.
 */
import { env as moduleEnv } from 'cloudflare:workers';
import { Hono } from 'hono';
import { type SessionVariables, session } from '../../src/index';

interface Bindings {
  SESSION_SECRET: string;
}
type WorkerEnv = { Bindings: Bindings; Variables: SessionVariables };

let managersBuilt = 0;

function counter(app: Hono<WorkerEnv>): Hono<WorkerEnv> {
  return app.post('/count', async (c) => {
    const current = await c.var.session.load();
    const count = ((current.get('count') as number | undefined) ?? 0) + 1;
    current.set('count', count);
    return c.json({ count });
  });
}

// 1. A function of the env: called on the first request, once per isolate.
const fromEnv = new Hono<WorkerEnv>();
fromEnv.use(
  session((env: Bindings) => {
    managersBuilt += 1;
    return { secret: env.SESSION_SECRET };
  }),
);

// 2. `cloudflare:workers`' env, which exists when the module loads.
const fromImport = new Hono<WorkerEnv>();
fromImport.use(session({ secret: moduleEnv.SESSION_SECRET as string, cookie: { name: 'sid_import' } }));

const app = new Hono<WorkerEnv>();
app.route('/env', counter(fromEnv));
app.route('/import', counter(fromImport));
app.get('/managers-built', (c) => c.json({ managersBuilt }));

export default app;
