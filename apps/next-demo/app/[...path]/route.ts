import { notFoundReply, wantsJson } from '@sess/demo-kit';
import { toResponse } from '../../src/respond';

/** The contract's 404 (JSON or page) for every path no other route takes. */
function notFound(request: Request): Response {
  const { pathname } = new URL(request.url);
  return toResponse(notFoundReply(request.method, pathname, wantsJson(request.headers.get('accept'))));
}

export { notFound as DELETE, notFound as GET, notFound as PATCH, notFound as POST, notFound as PUT };
