import { fileURLToPath } from 'node:url';
import { describeDemoContract } from '@sess/demo-kit/testing';
import { start } from './node';

describeDemoContract('Hono demo', { start, appDir: fileURLToPath(new URL('..', import.meta.url)) });
