import { runDemoCli } from '@sess/demo-kit';
import { start } from './app';

await runDemoCli({
  framework: 'Koa',
  start,
  defaultPort: 3001,
  otherDemos: ['Express demo: npx -y pnpm@10 demo (http://127.0.0.1:3000)'],
});
