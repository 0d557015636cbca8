import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.base.ts';

// The client libraries are optional peers, never bundled: a driver only reads a client's shape.
export default defineConfig(packageBuild({ entry: ['src/index.ts'], external: [/^ioredis$/, /^redis$/] }));
