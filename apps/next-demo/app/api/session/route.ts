import { demo } from '../../../src/demo';
import { demoRoute } from '../../../src/respond';

export const GET = demoRoute((request) => demo().handlers.readSession(request));
