import { describeDemoE2E } from '@sess/demo-kit/testing';
import { start } from './app';

describeDemoE2E('Express demo', start);
