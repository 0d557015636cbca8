/**
 * The Lua scripts behind every write but the first. Each runs atomically, which is what
 * makes concurrent commits merge instead of overwrite. All but `rotate` touch one key
 * (or two keys sharing the user's hash tag), so they run unchanged on a Redis Cluster.
 *
 * A session is one Redis string (see the README), always in Redis's compact string
 * encodings whatever its size, and read with one `GET`:
 *
 *     record = "s1" meta user entry*
 *     meta   = createdAtMs lastActiveAtMs expiresAtMs (base 36, 9 characters each) persistent ("0" or "1")
 *     user   = netstring of the user id ("0:" for none)
 *     entry  = netstring of a top-level key, netstring of its serialized value
 *
 * A netstring is the byte length in decimal, ":", then the bytes. The meta has a fixed
 * width, so a touch rewrites it in place (`SETRANGE`) without reading the data.
 */
import { RECORD_TAG, TIME_WIDTH, USER_OFFSET } from './record';

/** A script, sent by SHA-1 with `EVALSHA`. */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
}

/**
 * Reads the record in `s` (nil when missing), or returns 0 from the script when it is
 * missing, not ours, or expired by ARGV[nowArg]: sets `user` (the old user id) and
 * `pos` (where the entries start).
 */
const readLiveRecord = (nowArg: number) => `
if redis.call('TYPE', KEYS[1]).ok ~= 'string' then return 0 end
local s = redis.call('GET', KEYS[1])
if string.sub(s, 1, ${RECORD_TAG.length}) ~= '${RECORD_TAG}' then return 0 end
if tonumber(string.sub(s, ${RECORD_TAG.length + 2 * TIME_WIDTH + 1}, ${RECORD_TAG.length + 3 * TIME_WIDTH}), 36) <= tonumber(ARGV[${nowArg}]) then return 0 end
local colon = string.find(s, ':', ${USER_OFFSET + 1}, true)
local pos = colon + 1 + tonumber(string.sub(s, ${USER_OFFSET + 1}, colon - 1))
local user = string.sub(s, colon + 1, pos - 1)
`;

/** Adds `member` to the index `index` scored by expiry, prunes passed scores, expires the index with its last entry. */
const indexAdd = `
local function indexAdd(index, member, expiresAtMs, nowMs)
  redis.call('ZADD', index, 'GT', expiresAtMs, member)
  redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. nowMs)
  local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIREAT', index, last[2]) end
end
`;

/**
 * Merges a patch into an existing record; a missing record stays missing (never
 * resurrected). KEYS[1] session; ARGV: expiresAtMs, meta, userId ('' for none),
 * maxSizeBytes, setCount, then setCount key/value pairs, then the removed keys.
 * Returns 1 when applied, 0 when the record is gone, -size when the patch would take
 * the data over maxSizeBytes (nothing is written then). Keys keep their first order.
 *
 * It walks the entries by their lengths, reading only the names: spans of untouched
 * entries are copied as they are, so the cost grows with the number of keys, not with
 * building every value again.
 */
export const updateScript: LuaScript = {
  name: 'update',
  lua: `
local s = redis.call('GET', KEYS[1])
if not s then return 0 end
local firstRemoved = 6 + 2 * tonumber(ARGV[5])
local patch = {}
for i = 6, firstRemoved - 1, 2 do patch[ARGV[i]] = ARGV[i + 1] end
for i = firstRemoved, #ARGV do patch[ARGV[i]] = false end
local colon = string.find(s, ':', ${USER_OFFSET + 1}, true)
local pos = colon + 1 + tonumber(string.sub(s, ${USER_OFFSET + 1}, colon - 1))
local user = ARGV[3]
local parts = { '${RECORD_TAG}', ARGV[2], #user, ':', user }
local keep, size, length = pos, 0, #s
while pos <= length do
  local c1 = string.find(s, ':', pos, true)
  local nameLength = tonumber(string.sub(s, pos, c1 - 1))
  local name = string.sub(s, c1 + 1, c1 + nameLength)
  local c2 = string.find(s, ':', c1 + nameLength + 1, true)
  local valueLength = tonumber(string.sub(s, c1 + nameLength + 1, c2 - 1))
  local value = patch[name]
  if value == nil then
    size = size + nameLength + valueLength
  else
    if keep < pos then parts[#parts + 1] = string.sub(s, keep, pos - 1) end
    if value then
      parts[#parts + 1] = nameLength .. ':' .. name .. #value .. ':' .. value
      size = size + nameLength + #value
    end
    patch[name] = nil
    keep = c2 + valueLength + 1
  end
  pos = c2 + valueLength + 1
end
if keep <= length then parts[#parts + 1] = string.sub(s, keep) end
for i = 6, firstRemoved - 1, 2 do
  local name = ARGV[i]
  local value = patch[name]
  if value then
    parts[#parts + 1] = #name .. ':' .. name .. #value .. ':' .. value
    size = size + #name + #value
  end
end
if size > tonumber(ARGV[4]) then return -size end
redis.call('SET', KEYS[1], table.concat(parts), 'PXAT', ARGV[1])
return 1
`,
};

/**
 * Moves the metadata and expiry of an existing record. KEYS[1] session; ARGV:
 * expiresAtMs, meta, userId ('' for none). With the user id unchanged (the usual case)
 * it rewrites the meta in place and never reads the data.
 */
export const touchScript: LuaScript = {
  name: 'touch',
  lua: `
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return 0 end
local user = #ARGV[3] .. ':' .. ARGV[3]
if redis.call('GETRANGE', key, ${USER_OFFSET}, ${USER_OFFSET} + #user - 1) == user then
  redis.call('SETRANGE', key, ${RECORD_TAG.length}, ARGV[2])
  redis.call('PEXPIREAT', key, ARGV[1])
  return 1
end
local s = redis.call('GET', key)
local colon = string.find(s, ':', ${USER_OFFSET + 1}, true)
local rest = string.sub(s, colon + 1 + tonumber(string.sub(s, ${USER_OFFSET + 1}, colon - 1)))
redis.call('SET', key, '${RECORD_TAG}' .. ARGV[2] .. user .. rest, 'PXAT', ARGV[1])
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
  lua: `${indexAdd}
indexAdd(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
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
if ARGV[1] == '' or redis.call('TYPE', KEYS[1]).ok ~= 'string' then return 0 end
local user = #ARGV[1] .. ':' .. ARGV[1]
if redis.call('GETRANGE', KEYS[1], ${USER_OFFSET}, ${USER_OFFSET} + #user - 1) == user then return redis.call('DEL', KEYS[1]) end
return 0
`,
};

/**
 * The first step of "sign out everywhere": moves every entry of the user index into
 * the user's revoking set (same hash tag, same slot) and deletes the index, in one
 * step a rotation can see (see `rotateScript`, `rotateIndexScript`). Entries stay in
 * the revoking set until their sessions are deleted, so a call that fails half way is
 * finished by the next one. KEYS[1] index, KEYS[2] revoking set. Returns the members
 * of the revoking set.
 */
export const takeIndexScript: LuaScript = {
  name: 'takeIndex',
  lua: `
local read = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #read, 2 do redis.call('ZADD', KEYS[2], read[i + 1], read[i]) end
redis.call('DEL', KEYS[1])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[2], last[2]) end
return redis.call('ZRANGE', KEYS[2], 0, -1)
`,
};

/**
 * An id rotation in one step, for a single node. KEYS: from, to, and for a signed-in
 * record the user's index and revoking set. ARGV: record, expiresAtMs, userId ('' for
 * none), nowMs, from key, to key (index members are unprefixed keys).
 * Returns 1 when rotated; 0 when `from` is gone or expired, or its user's sign-out
 * everywhere has begun (`from` no longer in the index, or in the revoking set); -1 when
 * `from` belongs to another user than the record (the engine then rotates in steps).
 */
export const rotateScript: LuaScript = {
  name: 'rotate',
  lua: `${readLiveRecord(4)}${indexAdd}
if user ~= '' then
  if user ~= ARGV[3] then return -1 end
  if not redis.call('ZSCORE', KEYS[3], ARGV[5]) or redis.call('ZSCORE', KEYS[4], ARGV[5]) then return 0 end
  redis.call('ZREM', KEYS[3], ARGV[5])
end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PXAT', ARGV[2])
if ARGV[3] ~= '' then indexAdd(KEYS[3], ARGV[6], ARGV[2], ARGV[4]) end
return 1
`,
};

/**
 * Rotation in steps, first step (any topology): claims `from` by deleting it while it is
 * live. KEYS[1] from; ARGV: nowMs. Returns 0 when it is gone or expired, else
 * `{ 1, old user id }`.
 */
export const claimScript: LuaScript = {
  name: 'claim',
  lua: `${readLiveRecord(1)}
redis.call('DEL', KEYS[1])
return { 1, user }
`,
};

/**
 * Rotation in steps, last step, on the old user's index slot once the new record is
 * written: moves the index entry from the old key to the new one, unless that user's
 * sign-out everywhere has begun since the claim (then the engine deletes the new key).
 * KEYS: index, revoking set. ARGV: from key, to key, expiresAtMs, nowMs, '1' when the
 * record keeps the user (else the entry is only removed). Returns 1 or 0.
 */
export const rotateIndexScript: LuaScript = {
  name: 'rotateIndex',
  lua: `${indexAdd}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[5] == '1' then indexAdd(KEYS[1], ARGV[2], ARGV[3], ARGV[4]) end
return 1
`,
};

const shas = new Map<LuaScript, Promise<string>>();

/** The script's SHA-1 in hex, by Web Crypto (computed once per script and process). */
export function scriptSha(script: LuaScript): Promise<string> {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = crypto.subtle.digest('SHA-1', new TextEncoder().encode(script.lua)).then((digest) => {
      let hex = '';
      for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
      return hex;
    });
    shas.set(script, sha);
  }
  return sha;
}
