/*
 * The @sess/hono test suite, written once and run on every runtime: Node (in vitest),
 * Bun, Deno and workerd (through the runtime matrix in runtimes.test.ts). Each test's
 * name carries the runtime, e.g. `@sess/hono [bun], memory store: adapter conformance`.
 */
import { createMemoryStore, type SessionManagerOptions, type SessionStore } from '@sess/core';
import { statusOfError } from '@sess/core/adapter';
import { type ConformanceServer, describeAdapterConformance, handleConformanceRequest } from '@sess/core/testing';
import { Hono } from 'hono';
import { streamText } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type SessionEnv, session } from '../src/index';
import { describeCookieStore } from './suite/cookie-store';
import { describeEnvOptions } from './suite/env';
import { describeStoreFailures } from './suite/errors';
import { describeMiddleware } from './suite/middleware';
import { describeMounting } from './suite/mounting';

/** A store a runtime can reach besides the in-process ones, with how to clean up after a test. */
export interface ExtraStore<Store extends SessionStore = SessionStore> {
  label: string;
  createStore(): Store | Promise<Store>;
  cleanup(store: Store): Promise<void> | void;
}

/** Where the suite runs and how the app is reached there. */
export interface RuntimeTarget {
  /** Shown in every test name: `node`, `bun`, `deno`, `workerd`. */
  runtime: string;
  /** Serves the app another way than in process through `app.request()`. */
  serve?: (app: Hono<SessionEnv>) => Promise<ConformanceServer>;
  /** Also run the middleware tests, which always go through `app.request()`. @default true */
  middleware?: boolean;
  /** Stores this runtime can reach, beyond memory and cookie (Redis on Node, Bun, Deno). */
  stores?: ExtraStore[];
}

/** The conformance app: the session middleware, then the suite's routes. */
export function conformanceApp(options: Parameters<typeof session>[0]): Hono<SessionEnv> {
  const app = new Hono<SessionEnv>();
  // Hono's default handler answers 500 for any error that is not an HTTPException.
  // It sends the error's own headers too, as Hono's default handler does for ours (`Retry-After`).
  app.onError((error, c) =>
    c.text(String(error), statusOfError(error) as ContentfulStatusCode, (error as { headers?: Record<string, string> }).headers),
  );
  app.use(session(options));
  app.all('*', async (c) => {
    const reply = await handleConformanceRequest(c.var.session, c.req.method, c.req.url);
    if (reply === undefined) return c.notFound();
    switch (reply.kind) {
      case 'json':
        return c.body(JSON.stringify(reply.body), reply.status as ContentfulStatusCode, {
          ...reply.headers,
          'Content-Type': 'application/json',
        });
      case 'redirect':
        return c.redirect(reply.location);
      case 'stream':
        return streamText(c, async (stream) => {
          for await (const chunk of reply.chunks) await stream.write(chunk);
        });
    }
  });
  return app;
}

/** Reaches an app in process, as `app.request()` does on every runtime. */
export function inProcess(app: Hono<SessionEnv>): Promise<ConformanceServer> {
  return Promise.resolve({ request: async (path, init) => app.request(path, init), close: async () => {} });
}

export function describeHonoSuite(target: RuntimeTarget): void {
  const serve = target.serve ?? inProcess;
  const start = (options: SessionManagerOptions) => serve(conformanceApp(options));
  const label = (store: string) => `@sess/hono [${target.runtime}], ${store}`;

  if (target.middleware ?? true) {
    describeMiddleware(target.runtime);
    describeStoreFailures(target.runtime);
    describeMounting(target.runtime);
    describeEnvOptions(target.runtime);
  }
  describeAdapterConformance(label('memory store'), { start, createStore: () => createMemoryStore() });
  // The conformance suite reads a server store directly, so the cookie store has tests of its own.
  describeCookieStore(target.runtime);
  for (const extra of target.stores ?? []) {
    describeAdapterConformance(label(extra.label), { start, createStore: extra.createStore, cleanup: extra.cleanup });
  }
}
