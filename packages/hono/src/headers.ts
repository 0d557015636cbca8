import type { HeaderAccess } from '@sess/core/adapter';
import type { Context } from 'hono';

/** Response headers the middleware writes, plus removal for the error path. */
export interface ResponseHeaders extends HeaderAccess {
  delete(name: string): void;
}

/**
 * The response's headers, written through Hono's `c.header()` once and directly after that.
 * On a finalized response each `c.header()` re-creates the Response to copy its headers
 * (the handler's may be immutable, or shared); that first copy is the context's own, so
 * the writes after it go to its headers in place: one copy instead of one per header.
 */
export function responseHeaders(c: Context): ResponseHeaders {
  let ownCopy = false;
  const write = (name: string, value: string | undefined, append: boolean) => {
    if (!ownCopy) {
      c.header(name, value, { append });
      ownCopy = true;
    } else if (value === undefined) {
      c.res.headers.delete(name);
    } else if (append) {
      c.res.headers.append(name, value);
    } else {
      c.res.headers.set(name, value);
    }
  };
  return {
    get: (name) => c.res.headers.get(name),
    set: (name, value) => write(name, value, false),
    append: (name, value) => write(name, value, true),
    delete: (name) => write(name, undefined, false),
  };
}
