/**
 * "Before" servers for the same interleaved run: BENCH_BASELINE=<git ref> checks that
 * ref out in a worktree outside the repository and runs its own @sess servers from it,
 * next to the current ones, so a change to the hot path is measured before and after
 * under the same load. The worktree borrows this checkout's node_modules (the ref must
 * have the same dependencies).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerName } from './servers';

/** The @sess servers measured again from the baseline. */
export const BASELINE_SERVERS: readonly ServerName[] = ['express+@sess/memory', 'express+@sess/redis', 'koa+@sess/redis', 'hono+@sess/redis'];

export interface Baseline {
  /** The worktree's root: its bench/ runs the servers. */
  readonly root: string;
  /** The short commit id, as shown in the report. */
  readonly commit: string;
}

export function baselineLabel(name: string): string {
  return `${name} (before)`;
}

export function prepareBaseline(ref: string): Baseline {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: repo, encoding: 'utf8' }).trim();
  const root = join(tmpdir(), `sess-bench-baseline-${commit}`);
  if (!existsSync(root)) execFileSync('git', ['worktree', 'add', '--detach', root, commit], { cwd: repo, stdio: 'ignore' });
  const workspaceDirs = ['.', 'bench', ...['packages', 'apps'].flatMap((group) => readdirSync(join(repo, group)).map((name) => join(group, name)))];
  for (const dir of workspaceDirs) {
    const from = join(repo, dir, 'node_modules');
    const to = join(root, dir, 'node_modules');
    if (existsSync(from) && existsSync(join(root, dir)) && !existsSync(to)) symlinkSync(from, to, 'dir');
  }
  return { root, commit };
}
