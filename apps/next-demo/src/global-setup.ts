import { ensureBuilt } from './launch';

/** One `next build` for the whole run: every suite starts that build, in either store mode. */
export default async function buildOnce(): Promise<void> {
  const { built, ms } = await ensureBuilt({ quiet: true });
  console.log(built ? `next-demo: next build took ${ms} ms` : 'next-demo: the build in .next is up to date');
}
