import { redisUrl, waitFor } from '@flowq/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlowq, type FlowqUnderTest } from './support/start-flowq';
import { startTcpProxy, targetOf, type TcpProxy } from './support/tcp-proxy';

let flowq: FlowqUnderTest | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await proxy?.restore();
  await flowq?.stop();
  await proxy?.close();
  flowq = undefined;
  proxy = undefined;
});

describe('Redis going away while flowq runs', () => {
  it('says once what is wrong and what to do, keeps /readyz false meanwhile, and says once that it is back', async () => {
    proxy = await startTcpProxy(targetOf(redisUrl(), 6379));
    const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
    flowq = await startFlowq('outage-msg', {
      env: { REDIS_URL: proxy.rewrite(redisUrl()), LOG_LEVEL: 'info' },
      logStream: { write: (line) => lines.push(JSON.parse(line)) },
    });
    const ready = async () => {
      const res = await fetch(`${flowq!.api.address}/readyz`);
      return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
    };
    expect((await ready()).status).toBe(200);

    await proxy.refuse();
    const address = `127.0.0.1:${proxy.port}`;
    const down = await waitFor(
      async () => {
        const r = await ready();
        return r.status === 503 ? r : null;
      },
      { timeoutMs: 10_000, what: '/readyz to say no' },
    );
    expect(down.body.checks.redis).toContain(`Redis at ${address} is not reachable: start it or set REDIS_URL`);
    expect(down.body.checks.postgres).toBe('ok');
    // Long enough for ioredis and BullMQ to retry many times.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await ready()).status).toBe(503);

    await proxy.restore();
    await waitFor(async () => ((await ready()).status === 200 ? true : null), { timeoutMs: 15_000, what: '/readyz to say yes again' });
    await waitFor(async () => (lines.filter((l) => l.msg.includes('reachable again')).length >= 2 ? true : null), {
      timeoutMs: 15_000,
      what: 'the API and the worker to say Redis is back',
    });

    const outage = lines.filter((l) => l.level >= 40 && l.service === 'Redis');
    // One message per process (the API and the worker each own connections), not one per retry.
    expect(outage.map((l) => l.msg)).toEqual([
      `Redis at ${address} is not reachable: start it or set REDIS_URL; see README (Quick start)`,
      `Redis at ${address} is not reachable: start it or set REDIS_URL; see README (Quick start)`,
    ]);
    expect(lines.filter((l) => l.msg === `Redis at ${address} is reachable again`)).toHaveLength(2);
    // No stack traces while it was away.
    expect(lines.filter((l) => l.level >= 40 && JSON.stringify(l).includes('ECONNREFUSED') && JSON.stringify(l).includes('    at '))).toEqual([]);
    expect(lines.filter((l) => l.level >= 50 && l.service !== 'Redis')).toEqual([]);
  });
});
