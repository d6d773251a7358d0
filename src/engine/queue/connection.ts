// Where the queue lives: a `redis://` or `rediss://` URL as the user gives it, turned into ioredis options.
// A password comes from the URL or REDIS_PASSWORD; `rediss://` means TLS. What is shown or recorded never holds
// the password (`redactedUrl`), so run.json and the run's header can be shared.
import type { RedisOptions } from 'ioredis';

export class QueueUrlError extends Error {}

export interface QueueTarget {
  options: RedisOptions;
  /** The URL without its password: for messages and run.json. */
  shown: string;
}

export function parseQueueUrl(raw: string, env: NodeJS.ProcessEnv = process.env): QueueTarget {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new QueueUrlError(`'${raw}' is not a URL; expected redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB]`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new QueueUrlError(`the queue URL must start with redis:// or rediss:// (TLS), not ${u.protocol}//`);
  }
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new QueueUrlError(`'${u.pathname.slice(1)}' in ${redactedUrl(raw)} is not a database number`);
  const password = u.password ? decodeURIComponent(u.password) : env.REDIS_PASSWORD || undefined;
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const options: RedisOptions = {
    host,
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    // BullMQ needs this on its blocking connections, and our own commands wait through a Redis restart
    // instead of failing after a few retries: the AOF brings the data back, and the run goes on.
    maxRetriesPerRequest: null,
    // A dead server is retried every second at most, forever: workers outlive Redis restarts.
    retryStrategy: (times) => Math.min(times * 200, 1000),
  };
  return { options, shown: redactedUrl(raw) };
}

export function redactedUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.password = '';
    u.username = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return raw;
  }
}
