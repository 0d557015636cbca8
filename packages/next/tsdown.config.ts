import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.base.ts';

// Three entries, so the Pages Router and proxy never pull in `next/headers` (App Router only).
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/proxy.ts', 'src/pages.ts'], external: [/^next(\/|$)/, 'react'] }));
