import { describeDemoE2E } from '@sess/demo-kit/testing';
import { start } from '../scripts/workerd';
import { WORKERD_MODES } from './workerd-modes';

describeDemoE2E('Hono demo in workerd', start, { modes: WORKERD_MODES });
