/**
 * The record format and the Lua scripts behind every write but the first. Each script
 * touches exactly one key, so it runs unchanged on a Redis Cluster, and each is atomic,
 * which is what makes concurrent commits merge instead of overwrite.
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

/** A script, sent by SHA-1 with `EVALSHA`. */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
}

/** Marks the format, so a record of another format or program reads as unknown. */
export const RECORD_TAG = 's1';
/** Characters of one base-36 time in the meta: enough for the next 3,000 years. */
export const TIME_WIDTH = 9;
/** Characters of the meta: three times and the persistent flag. */
export const META_WIDTH = 3 * TIME_WIDTH + 1;
/** Where the user id starts, 0-based (Lua adds 1). */
export const USER_OFFSET = RECORD_TAG.length + META_WIDTH;

/** Parses a record in `s` from `pos`: the user id netstring, then the entries. Shared by the scripts that read one. */
const parseRecord = `
local pos = ${USER_OFFSET + 1}
local function field()
  local colon = string.find(s, ':', pos, true)
  local length = tonumber(string.sub(s, pos, colon - 1))
  local value = string.sub(s, colon + 1, colon + length)
  pos = colon + length + 1
  return value
end
field()
local order, values = {}, {}
while pos <= #s do
  local name = field()
  order[#order + 1] = name
  values[name] = field()
end
`;

/**
 * Merges a patch into an existing record; a missing record stays missing (never
 * resurrected). KEYS[1] session; ARGV: expiresAtMs, meta, userId ('' for none),
 * maxSizeBytes, setCount, then setCount key/value pairs, then the removed keys.
 * Returns 1 when applied, 0 when the record is gone, -size when the patch would take
 * the data over maxSizeBytes (nothing is written then). Keys keep their first order.
 */
export const updateScript: LuaScript = {
  name: 'update',
  lua: `
local key = KEYS[1]
local s = redis.call('GET', key)
if not s then return 0 end
${parseRecord}
local firstRemoved = 6 + 2 * tonumber(ARGV[5])
for i = 6, firstRemoved - 1, 2 do
  local name = ARGV[i]
  if values[name] == nil then order[#order + 1] = name end
  values[name] = ARGV[i + 1]
end
for i = firstRemoved, #ARGV do values[ARGV[i]] = nil end
local user = ARGV[3]
local parts = { '${RECORD_TAG}', ARGV[2], #user .. ':', user }
local size = 0
for _, name in ipairs(order) do
  local value = values[name]
  if value ~= nil then
    size = size + #name + #value
    local n = #parts
    parts[n + 1] = #name .. ':'
    parts[n + 2] = name
    parts[n + 3] = #value .. ':'
    parts[n + 4] = value
  end
end
if size > tonumber(ARGV[4]) then return -size end
redis.call('SET', key, table.concat(parts), 'PXAT', ARGV[1])
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
if ARGV[1] == '' or redis.call('TYPE', KEYS[1]).ok ~= 'string' then return 0 end
local user = #ARGV[1] .. ':' .. ARGV[1]
if redis.call('GETRANGE', KEYS[1], ${USER_OFFSET}, ${USER_OFFSET} + #user - 1) == user then return redis.call('DEL', KEYS[1]) end
return 0
`,
};
