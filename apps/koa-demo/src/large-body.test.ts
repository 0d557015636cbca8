import { request } from 'node:http';
import { testConfig } from '@sess/demo-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from './app';

const TEN_MB = 10 * 1024 * 1024;

/**
 * One chunked PUT of 10 MB, written as fast as the socket takes it, on a connection of
 * its own. Resolves once the whole body was written and the answer read: the status,
 * or the client's error code (EPIPE, ECONNRESET) if either failed.
 */
function putTenMegabytes(url: URL): Promise<string> {
  return new Promise((resolve) => {
    let status: string | undefined;
    let written = false;
    const done = () => {
      if (status !== undefined && written) resolve(status);
    };
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'PUT',
        path: '/api/data/big',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        agent: false,
      },
      (res) => {
        res.resume();
        res.once('end', () => {
          status = String(res.statusCode);
          done();
        });
      },
    );
    req.once('finish', () => {
      written = true;
      done();
    });
    req.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < TEN_MB) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('Koa demo: an oversized chunked body', () => {
  let demo: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    demo = await start(testConfig('memory'));
  });
  afterAll(async () => {
    await demo.close();
  });

  it('answers 413 to each of 20 chunked PUTs of 10 MB on loopback, never a broken pipe', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) outcomes.push(await putTenMegabytes(new URL(demo.url)));
    expect(outcomes).toEqual(Array.from({ length: 20 }, () => '413'));
  }, 120_000);
});
