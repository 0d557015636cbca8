/*
 * A user's file: it names every type of every public entry point of @sess/core, imported
 * the way an app, an adapter or a store author imports them. `tsc` (pnpm typecheck)
 * fails if one of them stops being exported; a type that appears in a public signature
 * and is not exported cannot be named here, so it must be added to this list and to its entry.
 */
import type {
  CookieOptions,
  CookieStore,
  CookieStoreOptions,
  ExpiryOptions,
  IdCookieProtection,
  JsonPrimitive,
  JsonValue,
  MemoryStoreOptions,
  NotStorable,
  Register,
  RevokeOwner,
  RichLeaf,
  RichValue,
  Serializer,
  SerializerKind,
  Session,
  SessionHandle,
  SessionManager,
  SessionManagerOptions,
  SessionStore,
  SessionValue,
  Storable,
  UserSessionSummary,
} from '@sess/core';
import type {
  AdapterInfo,
  CommitResult,
  DataOf,
  ErrorAnswer,
  HandlerAnswer,
  HandlerOutcome,
  HeaderAccess,
  OpenOptions,
  OutgoingCookie,
  RequestOutcome,
  Settlement,
} from '@sess/core/adapter';
import type {
  ErrorAnswer as NodeErrorAnswer,
  HeaderAccess as NodeHeaderAccess,
  NodeResponse,
  Settlement as NodeSettlement,
} from '@sess/core/node';
import type {
  SessionData,
  SessionMeta,
  SessionPatch,
  SessionRecord,
  SessionStoreOperation,
  StoreCallDeadline,
  StoreCallOptions,
} from '@sess/core/store';
import type {
  AdapterConformanceOptions,
  ConformanceReply,
  ConformanceServer,
  ConformanceSession,
  StoreConformanceOptions,
} from '@sess/core/testing';
import { describe, expectTypeOf, it } from 'vitest';

type App = { user: string };

/** One of each, so a type that disappears from its entry point is a compile error here. */
type EveryPublicType = [
  CookieOptions,
  CookieStore,
  CookieStoreOptions,
  ExpiryOptions,
  IdCookieProtection,
  JsonPrimitive,
  JsonValue,
  MemoryStoreOptions,
  NotStorable,
  Register,
  RevokeOwner,
  RichLeaf,
  RichValue,
  Serializer,
  SerializerKind,
  Session<App>,
  SessionHandle<App>,
  SessionManager<App>,
  SessionManagerOptions,
  SessionStore,
  SessionValue,
  Storable<string>,
  UserSessionSummary,
  AdapterInfo,
  CommitResult,
  DataOf<App>,
  ErrorAnswer,
  HandlerAnswer,
  HandlerOutcome,
  HeaderAccess,
  OpenOptions,
  OutgoingCookie,
  RequestOutcome,
  Settlement,
  NodeErrorAnswer,
  NodeHeaderAccess,
  NodeResponse,
  NodeSettlement,
  SessionData,
  SessionMeta,
  SessionPatch,
  SessionRecord,
  SessionStoreOperation,
  StoreCallDeadline,
  StoreCallOptions,
  AdapterConformanceOptions,
  ConformanceReply,
  ConformanceServer,
  ConformanceSession,
  StoreConformanceOptions,
];

describe('the public types of @sess/core', () => {
  it('can all be named from the entry point whose signatures use them', () => {
    expectTypeOf<EveryPublicType['length']>().toEqualTypeOf<50>();
    // The summary of a user's session is its meta, keyed by the store key.
    expectTypeOf<keyof UserSessionSummary>().toEqualTypeOf<'key' | Exclude<keyof SessionMeta, 'userId'>>();
  });
});
