export { httpError, isJsonContentType, MAX_FORM_BODY_BYTES, MAX_JSON_BODY_BYTES, MAX_JSON_DEPTH, parseJsonBody } from './body';
export { DEMO_REDIS_DRIVERS, type DemoConfig, DemoConfigError, type DemoRedisDriver, demoCookie, loadDemoConfig } from './config';
export {
  createDemoHandlers,
  type DemoFlashData,
  type DemoHandlers,
  type DemoHandlersOptions,
  type DemoReply,
  type DemoRequest,
  type DemoSession,
  type DemoSessionData,
  errorReply,
  errorStatus,
  logServerError,
  notFoundReply,
  type SessionView,
  sessionView,
  wantsJson,
} from './handlers';
export { escapeHtml, type PageSession, type PageView, renderPage } from './page';
export { listen, type RunningDemo, runDemoCli, type StartDemo, type StartDemoOptions } from './server';
export { asDemoError, createDemoStore, type DemoAppOptions, type DemoStore, demoAppOptions, type StoreMode } from './store';
export { type BridgedConfig, withUpstashBridge } from './upstash-driver';
