/**
 * Redis implementation of the ephemeral store, shared by every server instance. Each operation is one atomic
 * command (SET NX PX) or one small Lua script. TTLs run on Redis's own clock, not on an injected Clock: expiry is
 * whatever Redis decides, and `resetAtMs` is our clock's now plus the PTTL Redis reports.
 */
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { systemClock, type Clock } from '../../shared/clock';
import {
  assertKey,
  assertRateLimit,
  assertTtlMs,
  assertValue,
  type EphemeralStore,
  type RateDecision,
  type RateLimit,
  type WindowCount,
} from './port';

interface LuaScript {
  lua: string;
  sha: string;
}

const script = (lua: string): LuaScript => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });

const DELETE_IF_EQUALS = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

const EXPIRE_IF_EQUALS = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);

// A key left without a TTL (written by hand, or by an older version) would count forever: give it one.
const INCREMENT_WINDOW = script(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`);

export class RedisEphemeralStore implements EphemeralStore {
  private readonly client: Redis;
  /** a client we made from a URL is ours to close; a client handed to us belongs to the caller */
  private readonly ownsClient: boolean;
  private readonly limiters = new Map<string, RateLimiterRedis>();
  private closed = false;

  constructor(
    clientOrUrl: Redis | string,
    private readonly prefix: string,
    private readonly clock: Clock = systemClock,
  ) {
    if (prefix.length === 0) throw new RangeError('a Redis key prefix is required');
    this.ownsClient = typeof clientOrUrl === 'string';
    this.client =
      typeof clientOrUrl === 'string' ? new Redis(clientOrUrl, { maxRetriesPerRequest: 2 }) : clientOrUrl;
    // without a listener ioredis prints "Unhandled error event" on every reconnect; callers see failed commands
    if (this.ownsClient) this.client.on('error', () => undefined);
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(this.key(key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(this.writeKey(key, value, ttlMs), value, 'PX', ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(this.writeKey(key, value, ttlMs), value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async del(key: string): Promise<void> {
    await this.client.del(this.key(key));
  }

  async deleteIfEquals(key: string, expected: string): Promise<boolean> {
    return (await this.run(DELETE_IF_EQUALS, this.key(key), expected)) === 1;
  }

  async expireIfEquals(key: string, expected: string, ttlMs: number): Promise<boolean> {
    assertTtlMs(ttlMs);
    return (await this.run(EXPIRE_IF_EQUALS, this.key(key), expected, ttlMs)) === 1;
  }

  async incrementWindow(key: string, windowMs: number): Promise<WindowCount> {
    assertTtlMs(windowMs);
    const reply = await this.run(INCREMENT_WINDOW, this.key(key), windowMs);
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
      throw new Error(`unexpected reply to incrementWindow: ${JSON.stringify(reply)}`);
    }
    return { count: reply[0], resetAtMs: this.clock.now() + reply[1] };
  }

  async consumeRate(name: string, key: string, limit: RateLimit): Promise<RateDecision> {
    assertRateLimit(name, limit);
    this.assertOpen();
    try {
      const res = await this.limiter(name, limit).consume(key);
      return { allowed: true, remaining: res.remainingPoints, retryAfterMs: 0 };
    } catch (refusal) {
      // The limiter rejects with a RateLimiterRes when over the limit, with an Error when Redis fails.
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, refusal.msBeforeNext) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) await this.client.quit();
  }

  private limiter(name: string, { points, durationS }: RateLimit): RateLimiterRedis {
    const id = `${name}/${points}/${durationS}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      // The library joins keyPrefix and key with ':', which gives the layout of rateKey(name, key).
      const keyPrefix = `${this.prefix}rl:${name}`;
      // ioredis is the library's default client kind (useRedisPackage: false): it registers a Lua command.
      limiter = new RateLimiterRedis({
        storeClient: this.client,
        useRedisPackage: false,
        keyPrefix,
        points,
        duration: durationS,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  private async run(lua: LuaScript, key: string, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await this.client.evalsha(lua.sha, 1, key, ...args);
    } catch (err) {
      // First use on this Redis (or after SCRIPT FLUSH / a restart): load it by sending the source.
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.client.eval(lua.lua, 1, key, ...args);
    }
  }

  private key(key: string): string {
    this.assertOpen();
    assertKey(key);
    return this.prefix + key;
  }

  private writeKey(key: string, value: string, ttlMs: number): string {
    assertValue(value);
    assertTtlMs(ttlMs);
    return this.key(key);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('ephemeral store is closed');
  }
}
