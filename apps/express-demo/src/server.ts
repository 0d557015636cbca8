import { runDemoCli } from '@sess/demo-kit';
import { start } from './app';

await runDemoCli({
  framework: 'Express',
  start,
  defaultPort: 3000,
  otherDemos: ['Koa demo: npx -y pnpm@10 --filter @sess/koa-demo start (http://127.0.0.1:3001)'],
});
