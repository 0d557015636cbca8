/*
 * Type-level tests. The `expectTypeOf` lines and the `@ts-expect-error` lines are
 * checked by `tsc -p packages/core/tsconfig.json` (a `@ts-expect-error` that stops
 * erroring fails the type check); at run time only the behaviour lines run.
 *
 * This program never augments `Register`: augmentation is global to a program, so
 * registering the rich serializer here would change the types every other file of
 * the core is checked with. The rich registration is checked in a separate,
 * in-memory program built with the TypeScript compiler API (last test below).
 */
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { SessionHandle as AdapterSessionHandle, CommitResult } from './adapter';
import {
  createSessionManager,
  type JsonValue,
  jsonSerializer,
  richSerializer,
  type Session,
  type SessionHandle,
  type SessionManager,
  type SessionValue,
  type Storable,
} from './index';
import { toSessionManager } from './manager';
import type { DataOf, NotStorable, SerializerKind } from './values';

const secret = 'types-secret-types-secret-types-secret';

type Data = { count: number; user: string; cart: { items: { sku: string; qty: number }[] }; tags?: string[] };
type Flash = { notice: string };

describe('the manager types', () => {
  it('types revokeSession with an optional owner and a boolean answer, and onError as taking an Error', () => {
    const manager = createSessionManager<Data, Flash>({ secret, onError: (error) => expectTypeOf(error).toEqualTypeOf<Error>() });
    expectTypeOf(manager.revokeSession).parameters.toEqualTypeOf<[key: string, owner?: { userId: string }]>();
    expectTypeOf(manager.revokeSession).returns.toEqualTypeOf<Promise<boolean>>();
    // @ts-expect-error the owner is named by its user id
    void manager.revokeSession('k', { user: 'ann' }).catch(() => {});
  });
});

describe('the session types', () => {
  it('types reads on the loaded session synchronously, from the declared data', async () => {
    const manager = createSessionManager<Data, Flash>({ secret });
    expectTypeOf(manager).toEqualTypeOf<SessionManager<Data, Flash>>();
    const handle = manager.open(undefined);
    expectTypeOf(handle).toEqualTypeOf<SessionHandle<Data, Flash>>();
    expectTypeOf(handle.load).returns.toEqualTypeOf<Promise<Session<Data, Flash>>>();
    const session = await handle.load();
    expectTypeOf(session.get('count')).toEqualTypeOf<number | undefined>();
    expectTypeOf(session.get('count')).not.toMatchTypeOf<Promise<unknown>>();
    expectTypeOf(session.get('cart')).toEqualTypeOf<{ items: { sku: string; qty: number }[] } | undefined>();
    expectTypeOf(session.data.count).toEqualTypeOf<number | undefined>();
    expectTypeOf(session.getFlash('notice')).toEqualTypeOf<string | undefined>();
    expectTypeOf(session.has('user')).toEqualTypeOf<boolean>();
    expectTypeOf(session.id).toEqualTypeOf<string>();
    expectTypeOf(session.expiresAt).toEqualTypeOf<Date>();
    expectTypeOf(session.userId).toEqualTypeOf<string | undefined>();
    expectTypeOf(session.set).returns.toEqualTypeOf<void>();
    expectTypeOf(session.regenerate).returns.toEqualTypeOf<void>();
    expectTypeOf(session.destroy).returns.toEqualTypeOf<void>();
    session.set('count', 1);
    session.set('count', undefined);
    session.set('tags', ['a']);
    session.flash('notice', 'hi');
    expect(session.get('count')).toBeUndefined();
    await manager.commit(handle, { status: 200 });
  });

  it('makes forgetting the await of load() a type error: the handle has only load()', () => {
    const typeOnly = (handle: SessionHandle<Data, Flash>) => {
      // @ts-expect-error: the handle has no get(); `await handle.load()` first
      handle.get('count');
      // @ts-expect-error: nor set()
      handle.set('count', 1);
      // @ts-expect-error: nor the session's metadata
      void handle.id;
      // @ts-expect-error: a Promise has no get() either
      handle.load().get('count');
    };
    expectTypeOf(typeOnly).toBeFunction();
    expectTypeOf<keyof SessionHandle<Data, Flash>>().toEqualTypeOf<'load'>();
  });

  it('refuses values of the wrong type and keys that are not declared', () => {
    const typeOnly = (session: Session<Data, Flash>) => {
      // @ts-expect-error: count is a number
      session.set('count', '1');
      // @ts-expect-error: not a declared key
      session.set('nope', 1);
      // @ts-expect-error: not a declared key
      session.get('nope');
      // @ts-expect-error: not a declared flash key
      session.flash('alert', 'x');
      // @ts-expect-error: notice is a string
      session.flash('notice', 1);
      // @ts-expect-error: data is read-only; writes go through set()
      session.data.count = 1;
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it('makes a Date, Map, Set, BigInt, function or class instance a compile error under the default JSON serializer', () => {
    class Point {
      constructor(readonly x: number) {}
      norm(): number {
        return this.x;
      }
    }
    type Unstorable = {
      when: Date;
      nested: { at: Date };
      list: Date[];
      map: Map<string, number>;
      set: Set<string>;
      big: bigint;
      run: () => void;
      point: Point;
      fine: { name: string; tags: string[] };
    };
    const typeOnly = (session: Session<Unstorable>) => {
      // @ts-expect-error: JSON gives a Date back as a string
      session.set('when', new Date());
      // @ts-expect-error: also nested
      session.set('nested', { at: new Date() });
      // @ts-expect-error: and in arrays
      session.set('list', [new Date()]);
      // @ts-expect-error: JSON gives a Map back as {}
      session.set('map', new Map());
      // @ts-expect-error: JSON gives a Set back as {}
      session.set('set', new Set());
      // @ts-expect-error: JSON cannot store a BigInt
      session.set('big', 1n);
      // @ts-expect-error: no serializer stores a function
      session.set('run', () => {});
      // @ts-expect-error: JSON drops the prototype (and methods)
      session.set('point', new Point(1));
      session.set('fine', { name: 'a', tags: ['b'] });
    };
    expectTypeOf(typeOnly).toBeFunction();
    expectTypeOf<SerializerKind>().toEqualTypeOf<'json'>();
    expectTypeOf<Storable<Date>>().toEqualTypeOf<NotStorable>();
    expectTypeOf<Storable<{ at: Date }>>().toEqualTypeOf<NotStorable>();
    expectTypeOf<Storable<Map<string, string>>>().toEqualTypeOf<NotStorable>();
    expectTypeOf<Storable<{ name: string; tags: string[] }>>().toEqualTypeOf<{ name: string; tags: string[] }>();
    expectTypeOf<Storable<string | undefined>>().toEqualTypeOf<string | undefined>();
    expectTypeOf<SessionValue>().toEqualTypeOf<JsonValue>();
  });

  it('types an undeclared session as any key holding a JSON value', async () => {
    const manager = createSessionManager({ secret, serializer: jsonSerializer });
    const session = await manager.open(undefined).load();
    expectTypeOf(session.get('anything')).toEqualTypeOf<JsonValue | undefined>();
    session.set('anything', { nested: [1, 'two', null] });
    const typeOnly = () => {
      // @ts-expect-error: not a JSON value
      session.set('when', new Date());
      // @ts-expect-error: not a JSON value
      session.set('run', () => 1);
    };
    expectTypeOf(typeOnly).toBeFunction();
    expect(session.get('anything')).toEqual({ nested: [1, 'two', null] });
  });

  it('makes unknown option keys in a createSessionManager literal compile errors, as they are run-time errors', () => {
    // @ts-expect-error: express-session's resave does not exist here
    expect(() => createSessionManager({ secret, resave: false })).toThrow(/unknown option `resave`/);
    // @ts-expect-error: a typo
    expect(() => createSessionManager({ secret, sotre: undefined })).toThrow(/unknown option `sotre`/);
    // @ts-expect-error: the cookie lifetime follows the session
    expect(() => createSessionManager({ secret, cookie: { maxAge: 1000 } })).toThrow(/unknown option `cookie\.maxAge`/);
    // @ts-expect-error: it is idleTimeoutMs
    expect(() => createSessionManager({ secret, expiry: { idle: 1000 } })).toThrow(/unknown option `expiry\.idle`/);
    // @ts-expect-error: remember-me takes timeouts only
    expect(() => createSessionManager({ secret, expiry: { rememberMe: { enabled: true } } })).toThrow(
      /unknown option `expiry\.rememberMe\.enabled`/,
    );
    // @ts-expect-error: the adapter factory takes the same options
    expect(() => toSessionManager({ secret, rolling: true }, '@sess/hono')).toThrow(/^@sess\/hono: unknown option `rolling`/);
    // @ts-expect-error: a secret is required
    expect(() => createSessionManager({})).toThrow(TypeError);
  });

  it('types what adapters use: the commit result, the handle and DataOf', () => {
    expectTypeOf<AdapterSessionHandle<Data, Flash>>().toEqualTypeOf<SessionHandle<Data, Flash>>();
    expectTypeOf<CommitResult['setCookie']>().toEqualTypeOf<string[]>();
    expectTypeOf<CommitResult['private']>().toEqualTypeOf<boolean>();
    expectTypeOf<DataOf<{}>>().toEqualTypeOf<Record<string, SessionValue>>();
    expectTypeOf<DataOf<{ user: string }>>().toEqualTypeOf<{ user: string }>();
    const manager = createSessionManager<Data, Flash>({ secret });
    expectTypeOf(toSessionManager(manager, '@sess/hono')).toEqualTypeOf<SessionManager<Data, Flash>>();
    expectTypeOf(manager.commit).parameter(1).toEqualTypeOf<{ status: number }>();
  });
});

describe('registering the rich serializer', () => {
  const here = new URL('.', import.meta.url).pathname;
  const appFile = `${here}__register_rich_app__.ts`;
  const app = (register: boolean) => `
import { createSessionManager, richSerializer } from '@sess/core';
${register ? "declare module '@sess/core' { interface Register { serializer: 'rich' } }" : ''}
type Data = { when: Date; tags: Set<string>; prefs: Map<string, number>; big: bigint; run: () => void; nested: { at: Date }[] };
const manager = createSessionManager<Data>({ secret: '${secret}', serializer: richSerializer });
export async function handler(): Promise<Date | undefined> {
  const session = await manager.open(undefined).load();
  session.set('when', new Date());
  session.set('tags', new Set(['a']));
  session.set('prefs', new Map([['a', 1]]));
  session.set('big', 1n);
  session.set('nested', [{ at: new Date() }]);
  // @ts-expect-error: no serializer stores a function
  session.set('run', () => {});
  return session.get('when');
}
`;

  /** Parsed once for both programs: the core's sources and the libs do not change between them. */
  const parsedFiles = new Map<string, ts.SourceFile | undefined>();

  /** Type-checks the app file as its own program (with the core's compiler options), outside this program. */
  const diagnosticsOf = (source: string): string[] => {
    const configPath = `${here}../tsconfig.json`;
    const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    if (parsed === undefined) throw new Error(`cannot read ${configPath}`);
    const host = ts.createCompilerHost(parsed.options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (name) => name === appFile || fileExists.call(host, name);
    host.readFile = (name) => (name === appFile ? source : readFile.call(host, name));
    host.getSourceFile = (name, languageVersion, ...rest) => {
      if (name === appFile) return ts.createSourceFile(name, source, languageVersion);
      if (!parsedFiles.has(name)) parsedFiles.set(name, getSourceFile.call(host, name, languageVersion, ...rest));
      return parsedFiles.get(name);
    };
    const program = ts.createProgram({ rootNames: [appFile], options: { ...parsed.options, noEmit: true }, host });
    // Only the app file: the core's own files are checked by the main type check, and checking them twice costs seconds.
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...ts.getPreEmitDiagnostics(program, program.getSourceFile(appFile)),
    ];
    return diagnostics.map((d) => {
      const where = d.file ? `${d.file.fileName.slice(here.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  };

  it('accepts Date, Set, Map and BigInt values once the app registers the rich serializer, and still refuses functions', {
    timeout: 120_000,
  }, () => {
    expect(diagnosticsOf(app(true))).toEqual([]);
    // Without the registration the same app does not compile: the test above checks something.
    const unregistered = diagnosticsOf(app(false));
    expect(unregistered.length).toBeGreaterThanOrEqual(5);
    expect(unregistered.every((d) => d.startsWith('__register_rich_app__.ts:'))).toBe(true);
    // One error per set() of a Date, Set, Map, BigInt and nested Date (lines 8 to 12 of the app), one for the Date read back (15).
    expect(unregistered.map((d) => d.split(' ')[0])).toEqual([8, 9, 10, 11, 12, 15].map((line) => `__register_rich_app__.ts:${line}`));
    expect(unregistered.join('\n')).toMatch(/cannot be stored in the session/);
  });
});

// Keeps the imports honest: these are the values the types above describe.
expect(richSerializer.kind).toBe('rich');
