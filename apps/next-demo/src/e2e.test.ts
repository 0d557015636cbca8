import { describeDemoE2E } from '@sess/demo-kit/testing';
import { start } from './launch';

describeDemoE2E('Next.js demo', start);
