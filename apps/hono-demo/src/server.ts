import { runDemoCli } from '@sess/demo-kit';
import { start } from './node';

await runDemoCli({
  framework: 'Hono',
  start,
  defaultPort: 3002,
  otherDemos: [
    'On Bun: npx -y pnpm@10 --filter @sess/hono-demo start:bun; on Deno: start:deno; in workerd (Durable Objects): start:workerd',
    'Express demo: npx -y pnpm@10 demo (http://127.0.0.1:3000), Koa demo: npx -y pnpm@10 --filter @sess/koa-demo start (http://127.0.0.1:3001)',
  ],
});
