/* What only the workerd start refuses or says: the shared contract covers the rest of its command line. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DemoConfigError } from '@sess/demo-kit';
import { TEST_REDIS_URL, testConfig } from '@sess/demo-kit/testing';
import { describe, expect, it } from 'vitest';
import { start } from '../scripts/workerd';

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs `start:workerd`'s script until it prints where to go (then SIGINT) or exits; at most 30 s. */
function runCli(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/workerd.ts'], {
    cwd: appDir,
    env: { ...process.env, NODE_ENV: 'development', SESSION_SECRET: '', REDIS_URL: '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (/open http:\/\//.test(stdout)) child.kill('SIGINT');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('Hono demo in workerd: choosing the store', () => {
  it('refuses a TCP Redis driver with a DemoConfigError saying only upstash works in workerd', async () => {
    for (const driver of ['node-redis', 'bun'] as const) {
      const failure = start(testConfig({ name: driver, store: 'redis', driver }));
      await expect(failure).rejects.toBeInstanceOf(DemoConfigError);
      await expect(failure).rejects.toThrow(/only upstash \(@upstash\/redis, over HTTP\) works there/);
    }
  });

  it('exits with code 1 and that message when SESS_REDIS_DRIVER names ioredis', async () => {
    const run = await runCli({ REDIS_URL: TEST_REDIS_URL, SESS_REDIS_DRIVER: 'ioredis' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/did not start: SESS_REDIS_DRIVER=ioredis cannot run in workerd.*only upstash/);
  }, 30_000);

  it('takes REDIS_URL alone to mean @upstash/redis through the REST bridge, and says so', async () => {
    const run = await runCli({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `sess:demo-test:cli:${Date.now()}:` });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('REDIS_URL in workerd: the sessions go through @upstash/redis');
    expect(run.stdout).toMatch(/sessions: Upstash REST at http:\/\/127\.0\.0\.1:\d+ through upstash .*from workerd/);
  }, 30_000);

  it('runs on the sealed cookie with SESSION_STORE=cookie, and refuses another value', async () => {
    const cookie = await runCli({ SESSION_STORE: 'cookie' });
    expect(cookie.code).toBe(0);
    expect(cookie.stdout).toContain('sessions: the sealed cookie store');
    const other = await runCli({ SESSION_STORE: 'kv' });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('SESSION_STORE is "cookie" or unset (got "kv")');
  }, 60_000);
});
