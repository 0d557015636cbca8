import { describe, expect, it } from 'vitest';
import { MUST_TREE_SHAKE, measure, WORKERS } from './bundle-size';

const packagesOf = async (source: string) => (await measure('worker', source)).byPackage.map(([pkg]) => pkg);

describe('a Worker bundle of Hono + @sess/hono', () => {
  it('leaves out devalue and @noble/hashes when only JSON and the default cookie are used', async () => {
    const bundled = await packagesOf(WORKERS['Hono + @sess/hono']);
    expect(bundled).toContain('@sess/core (source)');
    for (const name of MUST_TREE_SHAKE) expect(bundled).not.toContain(name);
  }, 30_000);

  it('bundles devalue once the app uses the rich serializer', async () => {
    const rich = WORKERS['Hono + @sess/hono']
      .replace(
        "import { session } from '@sess/hono';",
        "import { session } from '@sess/hono';\nimport { createMemoryStore, richSerializer } from '@sess/core';",
      )
      .replace('session({ secret:', 'session({ store: createMemoryStore({ serializer: richSerializer }), secret:');
    expect(await packagesOf(rich)).toContain('devalue');
  }, 30_000);
});
