import { fileURLToPath } from 'node:url';
import { describeDemoContract } from '@sess/demo-kit/testing';
import { start } from '../scripts/workerd';
import { WORKERD_MODES } from './workerd-modes';

describeDemoContract('Hono demo in workerd', {
  start,
  appDir: fileURLToPath(new URL('..', import.meta.url)),
  modes: WORKERD_MODES,
  commandLine: { entry: 'scripts/workerd.ts', script: 'start:workerd', store: 'durable-objects' },
});
