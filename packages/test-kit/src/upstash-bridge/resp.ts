/**
 * A raw RESP2 connection to redis-server: commands go out as bytes and replies come
 * back as the server typed them (a status "OK" is not a bulk "OK"), which a client
 * library would blur. One socket, replies matched to requests in order.
 */
import { connect, type Socket } from 'node:net';

export type RespReply =
  | { kind: 'status'; text: string }
  | { kind: 'error'; message: string }
  | { kind: 'integer'; value: number }
  | { kind: 'bulk'; bytes: Buffer }
  | { kind: 'null' }
  | { kind: 'array'; items: RespReply[] };

const CRLF = Buffer.from('\r\n');

function encodeCommand(args: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) parts.push(Buffer.from(`$${arg.length}\r\n`), arg, CRLF);
  return Buffer.concat(parts);
}

/** One reply from `offset`, or undefined while it has not fully arrived. */
function parseReply(buffer: Buffer, offset: number): [RespReply, number] | undefined {
  const lineEnd = buffer.indexOf(CRLF, offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('latin1', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return [{ kind: 'status', text: buffer.toString('utf8', offset + 1, lineEnd) }, next];
    case '-':
      return [{ kind: 'error', message: buffer.toString('utf8', offset + 1, lineEnd) }, next];
    case ':':
      return [{ kind: 'integer', value: Number(line) }, next];
    case '$': {
      const length = Number(line);
      if (length < 0) return [{ kind: 'null' }, next];
      if (buffer.length < next + length + 2) return undefined;
      return [{ kind: 'bulk', bytes: buffer.subarray(next, next + length) }, next + length + 2];
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return [{ kind: 'null' }, next];
      const items: RespReply[] = [];
      let position = next;
      for (let i = 0; i < count; i++) {
        const parsed = parseReply(buffer, position);
        if (parsed === undefined) return undefined;
        items.push(parsed[0]);
        position = parsed[1];
      }
      return [{ kind: 'array', items }, position];
    }
    default:
      throw new Error(`@sess/test-kit: unexpected RESP type byte ${JSON.stringify(type)} from redis-server`);
  }
}

interface Pending {
  count: number;
  replies: RespReply[];
  resolve: (replies: RespReply[]) => void;
  reject: (error: Error) => void;
}

export interface RespConnection {
  /** Writes the commands in one chunk (nothing interleaves) and resolves with their replies. */
  send(commands: readonly (readonly Buffer[])[]): Promise<RespReply[]>;
  close(): Promise<void>;
}

/** A lazily opened connection to `redis://[:password@]host:port[/db]`; it reconnects after a failure. */
export function createRespConnection(redisUrl: string): RespConnection {
  const url = new URL(redisUrl);
  const setup: Buffer[][] = [];
  if (url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    setup.push(['AUTH', ...(user ? [user] : []), password].map((text) => Buffer.from(text)));
  }
  const db = url.pathname.slice(1);
  if (db) setup.push([Buffer.from('SELECT'), Buffer.from(db)]);

  let socket: Socket | undefined;
  let received: Buffer = Buffer.alloc(0);
  const queue: Pending[] = [];

  function failAll(error: Error): void {
    socket = undefined;
    received = Buffer.alloc(0);
    for (const pending of queue.splice(0)) pending.reject(error);
  }

  function onData(chunk: Buffer): void {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    let offset = 0;
    while (queue.length > 0) {
      const parsed = parseReply(received, offset);
      if (parsed === undefined) break;
      offset = parsed[1];
      const head = queue[0]!;
      head.replies.push(parsed[0]);
      if (head.replies.length === head.count) {
        queue.shift();
        head.resolve(head.replies);
      }
    }
    received = received.subarray(offset);
  }

  function open(): Socket {
    const opened = connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) });
    opened.setNoDelay(true);
    opened.on('data', onData);
    opened.on('error', (error) => failAll(new Error(`redis-server connection failed: ${error.message}`)));
    opened.on('close', () => failAll(new Error('redis-server closed the connection')));
    socket = opened;
    if (setup.length > 0) {
      // Its replies are checked: a wrong password must not look like a working bridge.
      enqueue(setup).then(
        (replies) => {
          const failed = replies.find((reply) => reply.kind === 'error');
          if (failed?.kind === 'error') opened.destroy(new Error(failed.message));
        },
        () => {},
      );
    }
    return opened;
  }

  function enqueue(commands: readonly (readonly Buffer[])[]): Promise<RespReply[]> {
    const target = socket ?? open();
    return new Promise((resolve, reject) => {
      queue.push({ count: commands.length, replies: [], resolve, reject });
      target.write(Buffer.concat(commands.map(encodeCommand)));
    });
  }

  return {
    send: (commands) => (commands.length === 0 ? Promise.resolve([]) : enqueue(commands)),
    close: () =>
      new Promise<void>((resolve) => {
        const current = socket;
        if (current === undefined) return resolve();
        current.once('close', () => resolve());
        current.end();
      }),
  };
}
