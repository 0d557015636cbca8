import { describeDemoE2E } from '@sess/demo-kit/testing';
import { start } from './node';

describeDemoE2E('Hono demo', start);
