import { describeDemoContract } from '@sess/demo-kit/testing';
import { APP_DIR, start } from './launch';

describeDemoContract('Next.js demo', { start, appDir: APP_DIR });
