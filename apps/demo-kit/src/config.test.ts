import { describe, expect, it } from 'vitest';
import { DemoConfigError, loadDemoConfig } from './config';

const SECRET = 'a-configured-secret-of-at-least-32-chars';

function load(env: Record<string, string | undefined>, defaultPort?: number) {
  const warnings: string[] = [];
  const config = loadDemoConfig(env, { defaultPort, warn: (message) => warnings.push(message) });
  return { config, warnings };
}

describe('loadDemoConfig', () => {
  it('generates a random 32-byte secret outside production, and warns that sessions will not survive a restart', () => {
    const first = load({});
    const second = load({ NODE_ENV: 'development', SESSION_SECRET: '' });
    expect(first.config.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(first.config.secret, 'base64url')).toHaveLength(32);
    expect(second.config.secret).not.toBe(first.config.secret);
    expect(first.config.secretGenerated).toBe(true);
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]).toMatch(/SESSION_SECRET is not set.*will not survive a restart/);
  });

  it('refuses to start in production without SESSION_SECRET, saying how to make one', () => {
    expect(() => load({ NODE_ENV: 'production' })).toThrow(DemoConfigError);
    expect(() => load({ NODE_ENV: 'production', SESSION_SECRET: '' })).toThrow(
      /SESSION_SECRET is required when NODE_ENV=production.*randomBytes/,
    );
  });

  it('uses SESSION_SECRET silently when it is set, in production too', () => {
    const { config, warnings } = load({ NODE_ENV: 'production', SESSION_SECRET: SECRET });
    expect(config).toMatchObject({ secret: SECRET, secretGenerated: false, production: true });
    expect(warnings).toEqual([]);
  });

  it('refuses a SESSION_SECRET shorter than 32 characters', () => {
    expect(() => load({ SESSION_SECRET: 'short' })).toThrow(/at least 32 characters long \(got 5\)/);
  });

  it('refuses a SESSION_SECRET with fewer than 6 distinct characters, such as 32 spaces, in production and outside it', () => {
    for (const SESSION_SECRET of [' '.repeat(32), 'x'.repeat(40), 'abab'.repeat(10)]) {
      for (const NODE_ENV of ['production', 'development']) {
        expect(() => load({ NODE_ENV, SESSION_SECRET }), `${NODE_ENV} ${JSON.stringify(SESSION_SECRET)}`).toThrow(
          /SESSION_SECRET has fewer than 6 distinct characters: that is a placeholder, not a secret/,
        );
      }
    }
    expect(load({ NODE_ENV: 'production', SESSION_SECRET: 'abcdef'.repeat(6) }).config.secret).toBe('abcdef'.repeat(6));
  });

  it('treats NODE_ENV as production whatever its case or surrounding spaces', () => {
    for (const NODE_ENV of ['production', 'Production', 'PRODUCTION', ' production ']) {
      expect(() => load({ NODE_ENV }), NODE_ENV).toThrow(/SESSION_SECRET is required when NODE_ENV=production/);
      expect(load({ NODE_ENV, SESSION_SECRET: SECRET }).config.production, NODE_ENV).toBe(true);
    }
    expect(load({ NODE_ENV: 'development', SESSION_SECRET: SECRET }).config.production).toBe(false);
    expect(load({ NODE_ENV: 'prod', SESSION_SECRET: SECRET }).config.production).toBe(false);
  });

  it('reads PORT, falling back to the default port, and refuses anything but a port number', () => {
    expect(load({ SESSION_SECRET: SECRET }).config.port).toBe(3000);
    expect(load({ SESSION_SECRET: SECRET }, 3001).config.port).toBe(3001);
    expect(load({ SESSION_SECRET: SECRET, PORT: '0' }).config.port).toBe(0);
    expect(load({ SESSION_SECRET: SECRET, PORT: ' 8080 ' }).config.port).toBe(8080);
    for (const PORT of ['http', '-1', '65536', '80.5']) {
      expect(() => load({ SESSION_SECRET: SECRET, PORT }), PORT).toThrow(/PORT must be a port number/);
    }
  });

  it('chooses Redis only when REDIS_URL is set to a redis:// or rediss:// URL', () => {
    expect(load({ SESSION_SECRET: SECRET }).config.redisUrl).toBeUndefined();
    expect(load({ SESSION_SECRET: SECRET, REDIS_URL: ' ' }).config.redisUrl).toBeUndefined();
    expect(load({ SESSION_SECRET: SECRET, REDIS_URL: 'redis://127.0.0.1:6379' }).config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(load({ SESSION_SECRET: SECRET, REDIS_URL: 'rediss://cache:6380/1' }).config.redisUrl).toBe('rediss://cache:6380/1');
    expect(() => load({ SESSION_SECRET: SECRET, REDIS_URL: '127.0.0.1:6379' })).toThrow(/REDIS_URL must start with redis:\/\//);
  });

  it('runs Redis on the client SESS_REDIS_DRIVER names (ioredis by default), and refuses one it does not know', () => {
    const redis = { SESSION_SECRET: SECRET, REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(load(redis).config.redisDriver).toBe('ioredis');
    for (const driver of ['ioredis', 'node-redis', 'upstash', 'bun']) {
      expect(load({ ...redis, SESS_REDIS_DRIVER: ` ${driver} ` }).config.redisDriver).toBe(driver);
    }
    expect(() => load({ ...redis, SESS_REDIS_DRIVER: 'redis' })).toThrow(
      /^SESS_REDIS_DRIVER must be one of ioredis, node-redis, upstash, bun \(got "redis"\)/,
    );
  });

  it('refuses a driver asked for by name without a Redis to run on, rather than quietly using memory', () => {
    expect(() => load({ SESSION_SECRET: SECRET, SESS_REDIS_DRIVER: 'node-redis' })).toThrow(/SESS_REDIS_DRIVER=node-redis needs REDIS_URL/);
    expect(() => load({ SESSION_SECRET: SECRET, SESS_REDIS_DRIVER: 'upstash' })).toThrow(
      /SESS_REDIS_DRIVER=upstash needs a Redis: REDIS_URL .* or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN/,
    );
  });

  it('takes a hosted Upstash from UPSTASH_REDIS_REST_URL and _TOKEN, both together and only for the upstash driver', () => {
    const upstash = { SESSION_SECRET: SECRET, SESS_REDIS_DRIVER: 'upstash' };
    const rest = { UPSTASH_REDIS_REST_URL: 'https://eu1-demo.upstash.io', UPSTASH_REDIS_REST_TOKEN: 'token' };
    expect(load({ ...upstash, ...rest }).config).toMatchObject({
      redisUrl: undefined,
      redisDriver: 'upstash',
      upstashRest: { url: 'https://eu1-demo.upstash.io', token: 'token' },
    });
    expect(load({ ...upstash, REDIS_URL: 'redis://127.0.0.1:6379' }).config.upstashRest).toBeUndefined();
    expect(() => load({ ...upstash, UPSTASH_REDIS_REST_URL: rest.UPSTASH_REDIS_REST_URL })).toThrow(/go together: set both, or neither/);
    expect(() => load({ SESSION_SECRET: SECRET, REDIS_URL: 'redis://127.0.0.1:6379', ...rest })).toThrow(
      /UPSTASH_REDIS_REST_URL is for SESS_REDIS_DRIVER=upstash \(the driver is ioredis\)/,
    );
    expect(() => load({ ...upstash, ...rest, UPSTASH_REDIS_REST_URL: 'eu1-demo.upstash.io' })).toThrow(/must start with https:\/\//);
  });

  it('listens on loopback unless HOST says otherwise, with Redis keys under sess:demo: unless REDIS_PREFIX says otherwise', () => {
    expect(load({ SESSION_SECRET: SECRET }).config).toMatchObject({ host: '127.0.0.1', redisPrefix: 'sess:demo:' });
    expect(load({ SESSION_SECRET: SECRET, HOST: '0.0.0.0', REDIS_PREFIX: 'app:' }).config).toMatchObject({
      host: '0.0.0.0',
      redisPrefix: 'app:',
    });
  });

  it('takes the cookie name from SESSION_COOKIE_NAME (sid by default), a __Host- name only in production, where cookies are Secure', () => {
    expect(load({}).config.cookieName).toBe('sid');
    expect(load({ NODE_ENV: 'production', SESSION_SECRET: SECRET, SESSION_COOKIE_NAME: '__Host-sid' }).config.cookieName).toBe(
      '__Host-sid',
    );
    expect(() => load({ SESSION_COOKIE_NAME: '__Host-sid' })).toThrow(DemoConfigError);
    expect(() => load({ SESSION_COOKIE_NAME: '__host-sid' })).toThrow(/needs a Secure cookie/);
    expect(() => load({ SESSION_COOKIE_NAME: 'a b' })).toThrow(/must be a cookie name/);
  });
});
