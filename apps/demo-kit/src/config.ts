import { randomBytes } from 'node:crypto';

/** Everything a demo needs from its environment. */
export interface DemoConfig {
  /** `PORT`; 0 picks a free port. */
  port: number;
  /** `HOST`. @default '127.0.0.1' (the demo is for this machine; set `HOST=0.0.0.0` in a container) */
  host: string;
  /** `SESSION_SECRET`, or a generated one outside production. */
  secret: string;
  /** The secret was generated for this process: sessions die with it. */
  secretGenerated: boolean;
  /** `REDIS_URL`: present, sessions live in Redis; absent, in memory. */
  redisUrl: string | undefined;
  /** `REDIS_PREFIX`, the key prefix in Redis. @default 'sess:demo:' */
  redisPrefix: string;
  /**
   * `SESS_REDIS_DRIVER`, the client the Redis store runs on: `ioredis`, `node-redis`,
   * `upstash` (`@upstash/redis`, over HTTP) or `bun` (Bun's built-in client, under Bun only).
   * @default 'ioredis'
   */
  redisDriver: DemoRedisDriver;
  /**
   * `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN`, for `SESS_REDIS_DRIVER=upstash`:
   * a hosted Upstash database. Without them the demo starts the Upstash REST bridge of
   * `@sess/test-kit` in front of `REDIS_URL` (see `withUpstashBridge`).
   */
  upstashRest: { url: string; token: string } | undefined;
  /**
   * `SESSION_COOKIE_NAME`, the session cookie's name. `__Host-sid` is the defence against cookie
   * tossing (a sibling subdomain cannot set it); it needs `Secure`, so production (https) only.
   * @default 'sid'
   */
  cookieName: string;
  /**
   * `NODE_ENV` is `production`, compared without regard to case or surrounding spaces:
   * `NODE_ENV=Production` must not quietly run with a generated secret and no `Secure` cookie.
   */
  production: boolean;
}

/** The clients a demo's Redis store can run on. */
export const DEMO_REDIS_DRIVERS = ['ioredis', 'node-redis', 'upstash', 'bun'] as const;
export type DemoRedisDriver = (typeof DEMO_REDIS_DRIVERS)[number];

/** The session cookie every demo sets: the configured name, `Secure` exactly in production (so a `__Host-` name is valid there). */
export function demoCookie(config: Pick<DemoConfig, 'cookieName' | 'production'>): { name: string; secure: boolean } {
  return { name: config.cookieName, secure: config.production };
}

/** A configuration the demo refuses to start with; the message says how to fix it. */
export class DemoConfigError extends Error {
  override name = 'DemoConfigError';
}

/** The core's minimum (iron-webcrypto refuses shorter passwords). */
const MIN_SECRET_LENGTH = 32;
/**
 * The core's rule too: fewer distinct characters is a placeholder (32 spaces, `xxxx...`).
 * Checked here so the demo exits with a clear message instead of a stack trace.
 */
const MIN_SECRET_DISTINCT_CHARACTERS = 6;
const GENERATED_SECRET_BYTES = 32;

/**
 * Reads the demo's configuration. Without `SESSION_SECRET` it generates one and warns,
 * except in production, where a secret that changes on every restart would silently
 * sign everybody out: there it throws a `DemoConfigError` instead. A secret under 32
 * characters or with fewer than 6 distinct ones is refused everywhere. Production means
 * `NODE_ENV=production` in any case (`Production`, `PRODUCTION`).
 */
export function loadDemoConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: { defaultPort?: number; warn?: (message: string) => void } = {},
): DemoConfig {
  const { defaultPort = 3000, warn = console.warn } = options;
  const production = env.NODE_ENV?.trim().toLowerCase() === 'production';

  const portText = env.PORT?.trim() || String(defaultPort);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    throw new DemoConfigError(`PORT must be a port number from 0 to 65535 (got ${JSON.stringify(env.PORT)}).`);
  }

  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new DemoConfigError(`REDIS_URL must start with redis:// or rediss:// (got ${JSON.stringify(redisUrl)}).`);
  }

  const redisDriver = (env.SESS_REDIS_DRIVER?.trim() || 'ioredis') as DemoRedisDriver;
  if (!DEMO_REDIS_DRIVERS.includes(redisDriver)) {
    throw new DemoConfigError(
      `SESS_REDIS_DRIVER must be one of ${DEMO_REDIS_DRIVERS.join(', ')} (got ${JSON.stringify(env.SESS_REDIS_DRIVER)}).`,
    );
  }
  const upstashRest = readUpstashRest(env, redisDriver);
  // A driver asked for by name without a Redis to run on is a mistake, not a memory-store demo.
  if (env.SESS_REDIS_DRIVER?.trim() && redisUrl === undefined && upstashRest === undefined) {
    throw new DemoConfigError(
      redisDriver === 'upstash'
        ? 'SESS_REDIS_DRIVER=upstash needs a Redis: REDIS_URL (the demo starts a local Upstash REST bridge in front of it) ' +
            'or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (a hosted Upstash database).'
        : `SESS_REDIS_DRIVER=${redisDriver} needs REDIS_URL, the Redis it connects to.`,
    );
  }

  let secret = env.SESSION_SECRET ?? '';
  let secretGenerated = false;
  if (secret === '') {
    if (production) {
      throw new DemoConfigError(
        'SESSION_SECRET is required when NODE_ENV=production: a generated secret would sign everybody out on every restart. ' +
          `Set one of at least ${MIN_SECRET_LENGTH} characters, e.g. SESSION_SECRET=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")`,
      );
    }
    secret = randomBytes(GENERATED_SECRET_BYTES).toString('base64url');
    secretGenerated = true;
    warn(
      'Warning: SESSION_SECRET is not set, so a random one was generated for this process. ' +
        'Sessions will not survive a restart. Set SESSION_SECRET (32+ characters) to keep them.',
    );
  } else if (secret.length < MIN_SECRET_LENGTH) {
    throw new DemoConfigError(`SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters long (got ${secret.length}).`);
  } else if (new Set(secret).size < MIN_SECRET_DISTINCT_CHARACTERS) {
    throw new DemoConfigError(
      `SESSION_SECRET has fewer than ${MIN_SECRET_DISTINCT_CHARACTERS} distinct characters: that is a placeholder, not a secret. ` +
        `Generate one, e.g. SESSION_SECRET=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")`,
    );
  }

  const cookieName = env.SESSION_COOKIE_NAME?.trim() || 'sid';
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName)) {
    throw new DemoConfigError(
      `SESSION_COOKIE_NAME must be a cookie name (letters, digits and !#$%&'*+-.^_\`|~), got ${JSON.stringify(cookieName)}.`,
    );
  }
  // The demos set `Path=/` and no `Domain`; `Secure` only in production, where they are served over https.
  if (/^__(host|secure)-/i.test(cookieName) && !production) {
    throw new DemoConfigError(
      `SESSION_COOKIE_NAME=${cookieName} needs a Secure cookie, which the demo sets only with NODE_ENV=production (served over https): ` +
        'browsers drop a __Host- or __Secure- cookie without it. Use a plain name such as sid over http.',
    );
  }

  return {
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    secret,
    secretGenerated,
    redisUrl,
    redisPrefix: env.REDIS_PREFIX ?? 'sess:demo:',
    redisDriver,
    upstashRest,
    cookieName,
    production,
  };
}

/** `UPSTASH_REDIS_REST_URL` and `_TOKEN`: both or neither, and only for the `upstash` driver. */
function readUpstashRest(env: Readonly<Record<string, string | undefined>>, driver: DemoRedisDriver): DemoConfig['upstashRest'] {
  const url = env.UPSTASH_REDIS_REST_URL?.trim() || undefined;
  const token = env.UPSTASH_REDIS_REST_TOKEN?.trim() || undefined;
  if (url === undefined && token === undefined) return undefined;
  if (driver !== 'upstash') {
    throw new DemoConfigError(`UPSTASH_REDIS_REST_URL is for SESS_REDIS_DRIVER=upstash (the driver is ${driver}): set both, or neither.`);
  }
  if (url === undefined || token === undefined) {
    throw new DemoConfigError('UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN go together: set both, or neither.');
  }
  if (!/^https?:\/\//.test(url)) {
    throw new DemoConfigError(`UPSTASH_REDIS_REST_URL must start with https:// or http:// (got ${JSON.stringify(url)}).`);
  }
  return { url, token };
}
