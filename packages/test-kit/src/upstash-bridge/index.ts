/**
 * An HTTP server that speaks Upstash's documented REST protocol in front of a real
 * redis-server, so `@upstash/redis` can be tested here: every command runs on Redis,
 * the bridge only translates JSON to RESP and back (see README.md for what it cannot
 * show of a hosted Upstash).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRespConnection, type RespReply } from './resp';

export interface UpstashBridgeOptions {
  /** The Redis every command runs on. */
  redisUrl: string;
  /**
   * The bearer token clients must send.
   * @default a random token
   */
  token?: string;
}

/** One HTTP request the bridge answered: its endpoint, the command names in it and the commands whole. */
export interface BridgeRequest {
  endpoint: '/' | '/pipeline' | '/multi-exec';
  /** Lower-case command names, in order. */
  commands: string[];
  /** Every command with its arguments as UTF-8 text: what a tracer of the HTTP bodies would record. */
  sent: string[][];
}

export interface UpstashBridge {
  /** What `new Redis({ url })` takes. */
  readonly url: string;
  readonly token: string;
  /** Every authorised command request so far, in order (for counting round trips). */
  readonly requests: readonly BridgeRequest[];
  clearRequests(): void;
  close(): Promise<void>;
}

type JsonResult = null | number | string | JsonResult[];
type Slot = { result: JsonResult } | { error: string };

const ENDPOINTS = new Set(['/', '/pipeline', '/multi-exec']);
/** Far above a session record; Upstash's own limit depends on the plan. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

class BadRequest extends Error {}

/** Strings are sent as UTF-8 and numbers in their decimal form, as Upstash reads a JSON command. */
function toCommand(value: unknown): Buffer[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequest('ERR a command is a non-empty JSON array of strings and numbers');
  }
  return value.map((arg) => {
    if (typeof arg === 'string') return Buffer.from(arg, 'utf8');
    if (typeof arg === 'number' && Number.isFinite(arg)) return Buffer.from(String(arg));
    throw new BadRequest(`ERR command arguments must be strings or numbers, got ${JSON.stringify(arg)}`);
  });
}

/**
 * A reply as Upstash writes it: with `base64`, every string is base64 of its bytes
 * except the status reply "OK"; without it, bulk strings are read as UTF-8 (invalid
 * bytes become U+FFFD, as the docs say).
 */
function toJson(reply: RespReply, base64: boolean): JsonResult {
  switch (reply.kind) {
    case 'status':
      return base64 && reply.text !== 'OK' ? Buffer.from(reply.text, 'utf8').toString('base64') : reply.text;
    case 'bulk':
      return base64 ? reply.bytes.toString('base64') : reply.bytes.toString('utf8');
    case 'integer':
      return reply.value;
    case 'null':
      return null;
    case 'array':
      return reply.items.map((item) => (item.kind === 'error' ? item.message : toJson(item, base64)));
    case 'error':
      return reply.message;
  }
}

function toSlot(reply: RespReply, base64: boolean): Slot {
  return reply.kind === 'error' ? { error: reply.message } : { result: toJson(reply, base64) };
}

function describeRequest(endpoint: BridgeRequest['endpoint'], commands: readonly Buffer[][]): BridgeRequest {
  const sent = commands.map((command) => command.map((arg) => arg.toString('utf8')));
  return { endpoint, commands: sent.map((command) => command[0]!.toLowerCase()), sent };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new BadRequest('ERR request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function authorised(req: IncomingMessage, url: URL, token: string): boolean {
  const header = req.headers.authorization;
  if (header !== undefined) return header === `Bearer ${token}`;
  return url.searchParams.get('_token') === token;
}

/** Starts the bridge on 127.0.0.1 and a free port. */
export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  const token = options.token ?? randomBytes(16).toString('hex');
  const redis = createRespConnection(options.redisUrl);
  const requests: BridgeRequest[] = [];

  async function run(endpoint: BridgeRequest['endpoint'], body: unknown, base64: boolean): Promise<[number, unknown]> {
    if (endpoint === '/') {
      const command = toCommand(body);
      requests.push(describeRequest(endpoint, [command]));
      const [reply] = await redis.send([command]);
      const slot = toSlot(reply!, base64);
      return ['error' in slot ? 400 : 200, slot];
    }
    if (!Array.isArray(body) || body.length === 0) {
      throw new BadRequest(`ERR ${endpoint} takes a non-empty JSON array of commands`);
    }
    const commands = body.map(toCommand);
    requests.push(describeRequest(endpoint, commands));
    if (endpoint === '/pipeline') {
      const replies = await redis.send(commands);
      return [200, replies.map((reply) => toSlot(reply, base64))];
    }
    // MULTI, each command (QUEUED or a queueing error) and EXEC, written as one chunk.
    const replies = await redis.send([[Buffer.from('MULTI')], ...commands, [Buffer.from('EXEC')]]);
    const exec = replies[replies.length - 1]!;
    // Discarded as a whole (EXECABORT): one error, as Upstash answers a discarded transaction.
    if (exec.kind === 'error') return [400, { error: exec.message }];
    if (exec.kind !== 'array') return [400, { error: 'ERR transaction aborted' }];
    return [200, exec.items.map((reply) => toSlot(reply, base64))];
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bridge');
    const endpoint = url.pathname.replace(/(.)\/$/, '$1');
    if (!ENDPOINTS.has(endpoint)) {
      send(res, 404, { error: `ERR the bridge serves POST /, /pipeline and /multi-exec, not ${endpoint}` });
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, { error: 'ERR the bridge takes commands as a POSTed JSON body only' });
      return;
    }
    if (!authorised(req, url, token)) {
      send(res, 401, { error: 'Unauthorized' });
      return;
    }
    const base64 = req.headers['upstash-encoding']?.toString().toLowerCase() === 'base64';
    readBody(req)
      .then((text) => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new BadRequest('ERR the request body is not JSON');
        }
        return run(endpoint as BridgeRequest['endpoint'], body, base64);
      })
      .then(
        ([status, body]) => send(res, status, body),
        (error: Error) => send(res, error instanceof BadRequest ? 400 : 500, { error: error.message }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await redis.close();
    },
  };
}
