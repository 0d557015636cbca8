import { handlers } from '../../src/demo';
import { demoRoute } from '../../src/respond';

export const POST = demoRoute((request) => handlers.login(request));
