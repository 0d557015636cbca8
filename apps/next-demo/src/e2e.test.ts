import { describeDemoE2E } from '@sess/demo-kit/testing';
import { start } from './launch';

// Server Components consume a flash in after(), once the response is sent (see @sess/next's README).
describeDemoE2E('Next.js demo', start, { flashConsumedAfterResponse: true });
