import { demo } from '../../src/demo';
import { demoRoute } from '../../src/respond';

export const POST = demoRoute((request) => demo().handlers.login(request));
