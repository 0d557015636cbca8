import { handlers } from '../../../../src/demo';
import { demoRoute } from '../../../../src/respond';

// Next has already percent-decoded the segment.
export const PUT = demoRoute((request, params) => handlers.putData(request, String(params.key)));
export const DELETE = demoRoute((request, params) => handlers.deleteData(request, String(params.key)));
