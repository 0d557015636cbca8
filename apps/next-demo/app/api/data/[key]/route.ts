import { demo } from '../../../../src/demo';
import { demoRoute } from '../../../../src/respond';

// Next has already percent-decoded the segment.
export const PUT = demoRoute((request, params) => demo().handlers.putData(request, String(params.key)));
export const DELETE = demoRoute((request, params) => demo().handlers.deleteData(request, String(params.key)));
