/* What the Hono demo adds to the shared contract's store-outage case: when to retry. */
import { demoClient, testConfig } from '@sess/demo-kit/testing';
import { describe, expect, it } from 'vitest';
import { start } from './node';

describe('Hono demo: store outage', () => {
  it('sends Retry-After with the 503 of a store outage, on the page and the API', async () => {
    // Port 1 on loopback refuses connections: every store call fails after the store's timeout.
    const demo = await start({ ...testConfig('redis'), redisUrl: 'redis://127.0.0.1:1' });
    try {
      const [page, api] = await Promise.all([
        demoClient(demo.url).request('POST', '/login', { form: { user: 'ivan' } }),
        demoClient(demo.url).request('POST', '/count', { accept: 'json' }),
      ]);
      expect([page.status, api.status]).toEqual([503, 503]);
      expect([page.headers.get('retry-after'), api.headers.get('retry-after')]).toEqual(['2', '2']);
    } finally {
      await demo.close();
    }
  }, 20_000);
});
