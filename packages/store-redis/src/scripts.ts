/**
 * The Lua scripts behind every write. Each touches exactly one key, so it runs
 * unchanged on a Redis Cluster, and each is atomic, which is what makes concurrent
 * commits merge instead of overwrite.
 *
 * Session hash layout (see the README): `m` the metadata as JSON, `u` the user id
 * (mirrors `m`, for the scripts), `z` the data size in bytes, `d:<key>` one field per
 * top-level data key, its value serialized on its own.
 */

/** A script with its SHA-1, for EVALSHA. */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
}

/**
 * Replaces the whole record. KEYS[1] session; ARGV: expiresAtMs, meta, userId ('' for
 * none), sizeBytes, then field/value pairs. PEXPIREAT in the past deletes the key.
 */
export const setScript: LuaScript = {
  name: 'set',
  lua: `
local key = KEYS[1]
redis.call('DEL', key)
redis.call('HSET', key, 'm', ARGV[2], 'z', ARGV[4])
if ARGV[3] ~= '' then redis.call('HSET', key, 'u', ARGV[3]) end
for i = 5, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIREAT', key, ARGV[1])
return 1
`,
};

/**
 * Merges a patch into an existing record; a missing record stays missing (never
 * resurrected). KEYS[1] session; ARGV: expiresAtMs, meta, userId ('' for none),
 * maxSizeBytes, setCount, then setCount field/value pairs, then the removed fields.
 * Returns 1 when applied, 0 when the record is gone, -size when the patch would
 * take the data over maxSizeBytes (nothing is written then).
 */
export const updateScript: LuaScript = {
  name: 'update',
  lua: `
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return 0 end
local setCount = tonumber(ARGV[5])
local firstRemoved = 6 + 2 * setCount
local function storedBytes(field)
  local length = redis.call('HSTRLEN', key, field)
  if length == 0 and redis.call('HEXISTS', key, field) == 0 then return 0 end
  return #field - 2 + length
end
local size = tonumber(redis.call('HGET', key, 'z')) or 0
for i = 6, firstRemoved - 1, 2 do
  size = size - storedBytes(ARGV[i]) + #ARGV[i] - 2 + #ARGV[i + 1]
end
for i = firstRemoved, #ARGV do size = size - storedBytes(ARGV[i]) end
if size > tonumber(ARGV[4]) then return -size end
for i = 6, firstRemoved - 1, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
for i = firstRemoved, #ARGV do redis.call('HDEL', key, ARGV[i]) end
redis.call('HSET', key, 'm', ARGV[2], 'z', size)
if ARGV[3] ~= '' then redis.call('HSET', key, 'u', ARGV[3]) else redis.call('HDEL', key, 'u') end
redis.call('PEXPIREAT', key, ARGV[1])
return 1
`,
};

/** Moves the metadata and expiry of an existing record. KEYS[1] session; ARGV: expiresAtMs, meta, userId. */
export const touchScript: LuaScript = {
  name: 'touch',
  lua: `
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return 0 end
redis.call('HSET', key, 'm', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', key, 'u', ARGV[3]) else redis.call('HDEL', key, 'u') end
redis.call('PEXPIREAT', key, ARGV[1])
return 1
`,
};

/**
 * Adds a session to a user index (a sorted set scored by expiry), drops entries
 * whose score has passed, and lets the index expire with its last session.
 * KEYS[1] index; ARGV: session key, expiresAtMs, nowMs. GT: a score only moves
 * later, so concurrent writes landing out of order never prune a live session.
 */
export const indexAddScript: LuaScript = {
  name: 'indexAdd',
  lua: `
local index = KEYS[1]
redis.call('ZADD', index, 'GT', ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. ARGV[3])
local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', index, last[2]) end
return 1
`,
};

/**
 * Deletes a session only if it still belongs to the user, so "sign out everywhere"
 * never deletes a session re-assigned meanwhile. KEYS[1] session; ARGV: userId.
 */
export const destroyIfUserScript: LuaScript = {
  name: 'destroyIfUser',
  lua: `
if redis.call('HGET', KEYS[1], 'u') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
};
