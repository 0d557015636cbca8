import { fileURLToPath } from 'node:url';
import { describeDemoContract } from '@sess/demo-kit/testing';
import { start } from './app';

describeDemoContract('Express demo', { start, appDir: fileURLToPath(new URL('..', import.meta.url)) });
