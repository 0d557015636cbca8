import { describeDemoContract } from '@sess/demo-kit/testing';
import { APP_DIR, start } from './launch';

// Server Components consume a flash in after(), once the response is sent (see @sess/next's README).
describeDemoContract('Next.js demo', { start, appDir: APP_DIR, flashConsumedAfterResponse: true });
