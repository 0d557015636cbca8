import { runDemoCli } from '@sess/demo-kit';
import { start } from './launch';

await runDemoCli({
  framework: 'Next.js',
  start,
  defaultPort: 3002,
  otherDemos: [
    'Express demo: npx -y pnpm@10 demo (http://127.0.0.1:3000)',
    'Koa demo: npx -y pnpm@10 --filter @sess/koa-demo start (http://127.0.0.1:3001)',
  ],
});
