/** The demos' shared test suites; vitest-only, kept out of the runtime entry. */
export { type DemoCommandLine, type DemoContractOptions, describeDemoContract } from './contract';
export { CHROMIUM_PATH, describeDemoE2E, useChromium } from './e2e';
export {
  afterResponseSettles,
  type DemoClient,
  demoClient,
  STORE_MODES,
  startInMode,
  TEST_REDIS_URL,
  type TestStoreMode,
  testConfig,
} from './modes';
