import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../fixtures/late-write-app.ts', import.meta.url));

/** Starts the fixture app in its own Node process and resolves its port once it listens. */
async function startChild(): Promise<{ child: ChildProcess; port: number; stderr: () => string; exited: () => boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let exited = false;
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.once('exit', () => {
    exited = true;
  });
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening (\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the fixture exited with ${code} before listening: ${stderr}`)));
  });
  return { child, port, stderr: () => stderr, exited: () => exited };
}

describe('a session write after the commit from detached code, in a real Node process', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
  });

  it('does not end the process and is reported on stderr, naming res.send()', async () => {
    const started = await startChild();
    child = started.child;
    const base = `http://127.0.0.1:${started.port}`;
    const res = await fetch(`${base}/cart`, { method: 'POST' });
    expect(res.status).toBe(200);
    await expect.poll(started.stderr, { timeout: 10_000 }).toMatch(/SessionUsageError/);
    expect(started.stderr()).toMatch(
      /@sess\/express: session\.set\(\) was called after the session of this request was already committed, so the change is lost\. .*after res\.send\(\), res\.json\(\), res\.redirect\(\) or res\.end\(\)\./,
    );
    // Still serving, well after the late write.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started.exited()).toBe(false);
    expect(await (await fetch(`${base}/ping`)).text()).toBe('pong');
  }, 30_000);
});
