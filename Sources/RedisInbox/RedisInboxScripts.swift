/// The Lua scripts of the inbox. Each runs atomically (`EVAL`), so a decision and its writes can never interleave
/// with another relay's or core's: that is what makes dedupe, leasing and acking exactly-once across processes.
///
/// ## Leases are encoded in the idle time of pending entries
/// A Redis consumer group only knows, per pending entry, its consumer and its *idle time* (time since it was last
/// delivered). `XAUTOCLAIM … <min-idle>` reclaims entries idle for at least `min-idle`. If the claimer's own lease
/// length were the `min-idle`, a core leasing with 30 s would steal, after 30 s, a delivery another core leased for
/// 5 min. So every claimer uses the same threshold ``RedisInboxScripts/expiredAfterIdle`` (30 days), and a lease of
/// length L is written as idle time `threshold − L` (`XCLAIM … IDLE`): the entry becomes claimable exactly L later,
/// whoever looks. A release sets the idle time to the threshold itself (claimable at once). Side effect: `XPENDING`
/// shows idle times near 30 days; that is expected.
enum RedisInboxScripts {
    /// The idle time from which a pending entry counts as expired; also the longest possible lease.
    static let expiredAfterIdle: Duration = .seconds(30 * 24 * 3600)

    /// KEYS: dedupe key, sequence, stream. ARGV: kind, idempotency key, payload, received_at, dedupe TTL (s).
    /// Returns `{1, id}` when stored, `{0, "id"}` when the key was stored before.
    ///
    /// `XADD` comes before the dedupe `SET`: if it fails, no dedupe key points at a delivery that does not exist.
    /// If the sequence fell behind the stream (its key was lost), it is moved past the stream's last id, so ids
    /// stay increasing and `XADD` with an explicit id keeps working.
    static let store = """
        local existing = redis.call('GET', KEYS[1])
        if existing then return {0, existing} end
        local n = redis.call('INCR', KEYS[2])
        local function add(id)
          return redis.pcall('XADD', KEYS[3], string.format('%d-1', id), 'kind', ARGV[1], 'key', ARGV[2],
            'payload', ARGV[3], 'received_at', ARGV[4])
        end
        local added = add(n)
        if type(added) == 'table' and added.err then
          local info = redis.call('XINFO', 'STREAM', KEYS[3])
          local last = 0
          for i = 1, #info, 2 do
            if info[i] == 'last-generated-id' then last = tonumber(string.match(info[i + 1], '^(%d+)')) or 0 end
          end
          if last < n then return redis.error_reply(added.err) end
          n = last + 1
          redis.call('SET', KEYS[2], string.format('%d', n))
          added = add(n)
          if type(added) == 'table' and added.err then return redis.error_reply(added.err) end
        end
        redis.call('SET', KEYS[1], string.format('%d', n), 'EX', ARGV[5])
        return {1, n}
        """

    /// KEYS: stream, done set. ARGV: group, owner, limit, expired-after idle (ms), idle to set (threshold − lease),
    /// most hand-outs of one entry (0: no limit).
    /// Returns `{last entry id, {entries}, {dead}}`, each entry `{entry id, {field, value, …}}` and each dead one
    /// `{entry id, {field, value, …}, times handed out}`; the last entry id (or `0-0`) only when no entry was leased,
    /// as the point to wait after.
    ///
    /// First every expired pending entry (the whole pending list is scanned with the `XAUTOCLAIM` cursor, so an
    /// expired entry behind many live leases is still found), then never-delivered ones (`>`), up to `limit`.
    /// Entries already acked are dropped instead of handed out. An expired entry already handed out the most times
    /// (its `XPENDING` delivery count, which `XAUTOCLAIM` just raised and the `JUSTID` renewals never do) is a dead
    /// letter: acked, deleted and marked done like an ack, and returned for the caller's audit record.
    /// All leased entries get the lease as idle time.
    static let lease = """
        local stream, done, group, owner = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
        local limit = tonumber(ARGV[3])
        local most = tonumber(ARGV[6])
        local entries, dead = {}, {}
        local cursor = '0-0'
        repeat
          local claimed = redis.call('XAUTOCLAIM', stream, group, owner, ARGV[4], cursor, 'COUNT', limit - #entries)
          cursor = claimed[1]
          for _, entry in ipairs(claimed[2]) do
            if entry then
              local number = string.match(entry[1], '^(%d+)')
              if redis.call('ZSCORE', done, number) then
                redis.call('XACK', stream, group, entry[1])
                redis.call('XDEL', stream, entry[1])
              else
                local pending = redis.call('XPENDING', stream, group, entry[1], entry[1], 1)
                local count = (pending[1] and tonumber(pending[1][4])) or 1
                if most > 0 and count > most then
                  local time = redis.call('TIME')
                  redis.call('XACK', stream, group, entry[1])
                  redis.call('XDEL', stream, entry[1])
                  redis.call('ZADD', done, string.format('%d', tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)), number)
                  table.insert(dead, {entry[1], entry[2], count - 1})
                else
                  table.insert(entries, entry)
                end
              end
            end
          end
        until cursor == '0-0' or #entries >= limit
        if #entries < limit then
          local read = redis.call('XREADGROUP', 'GROUP', group, owner, 'COUNT', limit - #entries, 'STREAMS', stream, '>')
          if read then
            for _, entry in ipairs(read[1][2]) do table.insert(entries, entry) end
          end
        end
        if #entries == 0 then
          local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
          if #last > 0 then return {last[1][1], entries, dead} end
          return {'0-0', entries, dead}
        end
        local claim = {'XCLAIM', stream, group, owner, '0'}
        for _, entry in ipairs(entries) do table.insert(claim, entry[1]) end
        table.insert(claim, 'IDLE')
        table.insert(claim, ARGV[5])
        table.insert(claim, 'JUSTID')
        redis.call(unpack(claim))
        return {'', entries, dead}
        """

    /// KEYS: stream. ARGV: group, owner, entry id, new consumer, idle to set. Returns 1 when `owner` held the entry
    /// (it now belongs to the new consumer with that idle time), 0 otherwise (not pending, or someone else's).
    static let reassign = """
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
        if #pending == 0 or pending[1][2] ~= ARGV[2] then return 0 end
        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[4], '0', ARGV[3], 'IDLE', ARGV[5], 'JUSTID')
        return 1
        """

    /// KEYS: stream, done set. ARGV: group, delivery id, done retention (ms). Returns 1 (done, now or before) or
    /// 0 (no such delivery). The entry is acked and deleted (the stream only holds work), its id recorded as done,
    /// and done ids older than the retention forgotten (the set stays bounded). `TIME` is the server's clock, so
    /// relays and cores with skewed clocks agree on the pruning.
    static let ack = """
        local id = ARGV[2] .. '-1'
        if redis.call('ZSCORE', KEYS[2], ARGV[2]) then return 1 end
        if #redis.call('XRANGE', KEYS[1], id, id) == 0 then return 0 end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('XACK', KEYS[1], ARGV[1], id)
        redis.call('XDEL', KEYS[1], id)
        redis.call('ZADD', KEYS[2], string.format('%d', now), ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('(%d', now - tonumber(ARGV[3])))
        return 1
        """
}
