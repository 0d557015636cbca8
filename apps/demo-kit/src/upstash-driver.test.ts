import { createSessionManager } from '@sess/core';
import { testRedisUrl } from '@sess/test-kit';
import { expect, it } from 'vitest';
import { createDemoUpstashStore } from './upstash-driver';

it('runs the demo store on @upstash/redis through a bridge in front of REDIS_URL, and says so', async () => {
  const lines: string[] = [];
  const demo = await createDemoUpstashStore(testRedisUrl, `test:demo-upstash:${crypto.randomUUID().slice(0, 8)}:`, (line) =>
    lines.push(line),
  );
  try {
    expect(lines).toEqual([expect.stringContaining(`Upstash REST bridge at ${demo.bridgeUrl}`)]);
    const sessions = createSessionManager({ secret: 'a-test-secret-that-is-long-enough-for-sess-0123456789', store: demo.store });
    const handle = sessions.open(undefined);
    (await handle.load()).set('cart', ['apple']);
    const { cookies } = await sessions.commit(handle, { status: 200 });
    const again = sessions.open(`${cookies[0]!.name}=${cookies[0]!.value}`);
    expect((await again.load()).get('cart')).toEqual(['apple']);
  } finally {
    await demo.store.clear();
    await demo.close();
  }
});
