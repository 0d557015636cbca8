import { type CommitResult, type OpenOptions, type Session, type SessionHandle, type SessionManager, statusOfError } from '../adapter';
import { CookieJar } from './cookie-jar';

/** How a test client's request ends, and how its session is opened. */
export interface TestRequestOptions extends OpenOptions {
  /** The response status the commit is told. @default 200 */
  status?: number;
}

/** What one request of a test client resolves. */
export interface TestRequestResult<Data extends object, Flash extends object, T> {
  /** What the handler returned. */
  value: T;
  /** What the commit said to send; its cookies are in the jar already. */
  result: CommitResult;
  /** The session the handler was given (committed: writes on it throw). */
  session: Session<Data, Flash>;
}

/** One client of a manager, with no framework in between: see `createTestClient`. */
export interface TestClient<Data extends object, Flash extends object> {
  /** The cookies the client holds: what the commits set, minus what they deleted. */
  readonly jar: CookieJar;
  /** Opens a handle from the jar's cookies, as an adapter does from the request's `Cookie` header. */
  open(options?: OpenOptions): SessionHandle<Data, Flash>;
  /** Commits `handle` with `status` and takes the cookies it sets into the jar. */
  commit(handle: SessionHandle<Data, Flash>, status?: number): Promise<CommitResult>;
  /**
   * One request: open, load, run `handler`, commit, take the cookies. A handler that
   * throws is committed with `statusOfError(error)`, as an adapter does, and the error rethrown.
   */
  request<T>(
    handler: (session: Session<Data, Flash>) => T | Promise<T>,
    options?: TestRequestOptions,
  ): Promise<TestRequestResult<Data, Flash, T>>;
}

/**
 * A client that drives `manager` the way an adapter does (open → load → commit →
 * cookies), for tests of a manager or a store without a framework.
 *
 * @example
 * const client = createTestClient(createSessionManager({ secret }));
 * await client.request((session) => session.set('user', 'ann'));
 * const { value } = await client.request((session) => session.get('user')); // 'ann'
 */
export function createTestClient<Data extends object, Flash extends object>(
  manager: SessionManager<Data, Flash>,
  options: { jar?: CookieJar } = {},
): TestClient<Data, Flash> {
  const jar = options.jar ?? new CookieJar();
  const open = (openOptions?: OpenOptions) => manager.open(jar.header(), openOptions);
  const commit = async (handle: SessionHandle<Data, Flash>, status = 200) => {
    const result = await manager.commit(handle, { status });
    jar.update(result.setCookie);
    return result;
  };
  return {
    jar,
    open,
    commit,
    async request(handler, { status = 200, ...openOptions } = {}) {
      const handle = open(openOptions);
      const session = await handle.load();
      let value: Awaited<ReturnType<typeof handler>>;
      try {
        value = await handler(session);
      } catch (error) {
        await commit(handle, statusOfError(error));
        throw error;
      }
      return { value, result: await commit(handle, status), session };
    },
  };
}
