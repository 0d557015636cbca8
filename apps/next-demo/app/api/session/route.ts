import { handlers } from '../../../src/demo';
import { demoRoute } from '../../../src/respond';

export const GET = demoRoute((request) => handlers.readSession(request));
