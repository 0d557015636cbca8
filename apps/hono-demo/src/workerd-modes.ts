import type { TestStoreMode } from '@sess/demo-kit/testing';

/** The server-side stores the demo runs on in workerd: its default, and Redis with `REDIS_URL`. */
export const WORKERD_MODES: readonly TestStoreMode[] = [
  { name: 'Durable Objects', store: 'durable-objects' },
  { name: 'Redis on upstash', store: 'redis', driver: 'upstash' },
];
