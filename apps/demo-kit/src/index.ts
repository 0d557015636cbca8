export { type DemoConfig, DemoConfigError, loadDemoConfig } from './config';
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
export { createDemoStore, type DemoStore, type StoreMode } from './store';
