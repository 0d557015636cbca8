/**
 * "Before" servers for the same interleaved run: BENCH_BASELINE=<git ref>[,<git ref>...]
 * checks each ref out in a worktree outside the repository, builds its packages, and runs its own
 * @sess servers next to the current ones, so a change to the hot path is measured
 * before and after under the same load. Each worktree installs its ref's own locked
 * dependencies (from pnpm's store when it has them).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerName } from './servers';

/** The @sess servers measured again from the baseline. */
export const BASELINE_SERVERS: readonly ServerName[] = [
  'express+@sess/memory',
  'express+@sess/redis',
  'koa+@sess/redis',
  'hono+@sess/redis',
];
/** Built in this order: each after what it imports. */
const PACKAGES = ['core', 'store-redis', 'express', 'koa', 'hono'];

export interface Baseline {
  /** The worktree's root: its bench/ runs the servers. */
  readonly root: string;
  /** The short commit id, as shown in the report. */
  readonly commit: string;
}

/** A baseline server's row: `express+@sess/redis (at 96c6be4)`. */
export function baselineLabel(name: string, commit: string): string {
  return `${name} (at ${commit})`;
}

/** `BENCH_BASELINE=<ref>[,<ref>...]`: one baseline per ref, each in its own worktree. */
export function prepareBaselines(refs: string): Baseline[] {
  return refs
    .split(',')
    .map((ref) => ref.trim())
    .filter((ref) => ref !== '')
    .map(prepareBaseline);
}

export function prepareBaseline(ref: string): Baseline {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: repo, encoding: 'utf8' }).trim();
  const root = join(tmpdir(), `sess-bench-baseline-${commit}`);
  if (existsSync(join(root, 'packages', 'hono', 'dist'))) return { root, commit };
  if (!existsSync(root)) execFileSync('git', ['worktree', 'add', '--detach', root, commit], { cwd: repo, stdio: 'ignore' });
  // The ref's own dependencies, from its lockfile (it may predate a dependency change).
  execFileSync('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--ignore-scripts'], { cwd: root, stdio: 'ignore' });
  for (const name of PACKAGES) {
    execFileSync(join(root, 'node_modules', '.bin', 'tsdown'), [], { cwd: join(root, 'packages', name), stdio: 'ignore' });
  }
  return { root, commit };
}
