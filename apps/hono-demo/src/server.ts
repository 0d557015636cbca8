import { runDemoCli } from '@sess/demo-kit';
import { start } from './node';

await runDemoCli({
  framework: 'Hono',
  start,
  defaultPort: 3002,
  otherDemos: [
    'On Bun: pnpm --filter @sess/hono-demo start:bun; on Deno: start:deno; in workerd (cookie store): start:workerd',
    'Express demo: pnpm demo (http://127.0.0.1:3000), Koa demo: pnpm --filter @sess/koa-demo start (http://127.0.0.1:3001)',
  ],
});
