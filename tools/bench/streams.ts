/**
 * What the live stream (GET /v1/kpis/stream) costs per subscriber: one api process, the same
 * snapshot runs written with the publisher's own storeSnapshots while 1 and then N Server-Sent
 * Event clients listen. Side by side: the api's CPU seconds per run, the history queries it made
 * per run (caravan_stream_reads_total: the shared reader's and the subscribers' own), the bytes
 * each subscriber received, the time from a run's commit until every subscriber had it, and RSS.
 */
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import type { KpiSnapshot } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { storeSnapshots } from '@caravan/publisher';
import { freePort, spawnApp, stopApp, waitFor } from '@caravan/stack';
import { cpuSeconds, currentRssMb } from './process-stats';

export type FanOutFigures = {
  subscribers: number;
  runs: number;
  snapshotsPerRun: number;
  apiCpuSecondsPerRun: number;
  sharedReadsPerRun: number;
  subscriberReads: number;
  kibPerSubscriberPerRun: number;
  deliveredP50Ms: number;
  deliveredMaxMs: number;
  apiRssMb: number;
  /** Stream requests refused or cut off (retried a second later), while connecting and measuring. */
  refusedStreams: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One SSE client: counts bytes, follows the last snapshot id it was sent, knows when it caught up;
 * refused or cut off, it connects again a second later with Last-Event-ID, as EventSource does.
 */
class StreamClient {
  bytes = 0;
  lastId = 0;
  caughtUp = false;
  /** Times the api refused the stream or the connection failed (each retried). */
  refused = 0;
  private tail = '';
  private req: ReturnType<typeof request> | undefined;
  private closed = false;

  constructor(
    private readonly port: number,
    private readonly onProgress: () => void,
  ) {
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.lastId > 0) headers['last-event-id'] = String(this.lastId);
    this.tail = '';
    const retry = () => {
      if (this.closed) return;
      this.refused += 1;
      setTimeout(() => this.connect(), 1_000);
    };
    this.req = request(
      { host: '127.0.0.1', port: this.port, path: '/v1/kpis/stream', agent: false, headers },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          retry();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          this.bytes += Buffer.byteLength(chunk);
          const text = this.tail + chunk;
          const end = text.lastIndexOf('\n\n');
          if (end < 0) {
            this.tail = text;
            return;
          }
          const complete = text.slice(0, end);
          this.tail = text.slice(end + 2);
          if (!this.caughtUp && complete.includes('event: caught-up')) this.caughtUp = true;
          const at = complete.lastIndexOf('\nevent: snapshot');
          if (at >= 0)
            this.lastId = Number(/id: (\d+)$/.exec(complete.slice(Math.max(0, at - 24), at))?.[1] ?? this.lastId);
          this.onProgress();
        });
        res.on('end', retry);
      },
    );
    this.req.on('error', retry);
    this.req.end();
  }

  close(): void {
    this.closed = true;
    this.req?.destroy();
  }
}

async function metric(port: number, line: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(line.exec(text)?.[1] ?? 0);
}

/**
 * Measures the stream at each subscriber count, in a database of its own (`url`, migrated) that
 * gets the latest snapshots of `source` (a finished run's) and then `runs` snapshot runs of
 * `perRun` changed snapshots each, `spacingMs` apart, for every count.
 */
export async function measureStreamFanOut(
  config: CaravanConfig,
  source: Pool,
  target: { pool: Pool; url: string },
  log: (line: string) => void,
  options: { counts?: number[]; runs?: number; perRun?: number; spacingMs?: number } = {},
): Promise<FanOutFigures[]> {
  const { counts = [1, 1000], runs = 30, perRun = 100, spacingMs = 500 } = options;
  const latest = (
    await source.query<{ snapshot: KpiSnapshot }>('SELECT snapshot FROM kpi_latest ORDER BY key LIMIT $1', [perRun])
  ).rows.map((r) => r.snapshot);
  if (latest.length === 0) throw new Error('no snapshots to stream: the run published none');
  let position = Math.max(...latest.map((s) => s.position));
  /** One publisher run: every snapshot at a higher position; resolves the highest history id written. */
  const writeRun = async (): Promise<number> => {
    position += 1;
    return withTransaction(target.pool, async (client) => {
      await storeSnapshots(
        client,
        latest.map((s) => ({ ...s, position, computedAt: new Date().toISOString() })),
        false,
      );
      const { rows } = await client.query<{ id: string }>('SELECT max(id)::text AS id FROM kpi_snapshots');
      return Number(rows[0]?.id);
    });
  };
  await writeRun();

  const port = await freePort();
  const api = spawnApp('api', {
    DATABASE_URL: target.url,
    HTTP_PORT: String(port),
    TIME_ZONE: config.timeZone,
    LOG_LEVEL: 'warn',
    API_STREAM_MAX_CLIENTS: String(Math.max(...counts) + 10),
  });
  const figures: FanOutFigures[] = [];
  try {
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status === 200,
      { timeoutMs: 120_000, intervalMs: 20, what: 'the api ready' },
    );
    const pid = api.process.pid as number;
    for (const count of counts) {
      let progress: (() => void) | undefined;
      const clients = Array.from({ length: count }, () => new StreamClient(port, () => progress?.()));
      try {
        await waitFor(() => clients.every((c) => c.caughtUp), {
          timeoutMs: 300_000,
          intervalMs: 20,
          what: `${count} streams caught up`,
        });
        const allHave = (id: number) =>
          new Promise<void>((resolve) => {
            const check = () => {
              if (clients.every((c) => c.lastId >= id)) {
                progress = undefined;
                resolve();
              }
            };
            progress = check;
            check();
          });
        // Warm-up runs, not measured.
        for (let i = 0; i < 3; i++) await allHave(await writeRun());
        const cpu = cpuSeconds(pid);
        const shared = await metric(port, /caravan_stream_reads_total\{reader="shared"\} (\d+)/);
        const own = await metric(port, /caravan_stream_reads_total\{reader="subscriber"\} (\d+)/);
        const bytes = clients.reduce((n, c) => n + c.bytes, 0);
        const delivered: number[] = [];
        let rss = 0;
        for (let i = 0; i < runs; i++) {
          const started = performance.now();
          const id = await writeRun();
          const committed = performance.now();
          await allHave(id);
          delivered.push(performance.now() - committed);
          rss = Math.max(rss, currentRssMb(pid));
          await sleep(Math.max(0, spacingMs - (performance.now() - started)));
        }
        const cpuUsed = cpuSeconds(pid) - cpu;
        delivered.sort((a, b) => a - b);
        figures.push({
          subscribers: count,
          runs,
          snapshotsPerRun: latest.length,
          apiCpuSecondsPerRun: cpuUsed / runs,
          sharedReadsPerRun:
            ((await metric(port, /caravan_stream_reads_total\{reader="shared"\} (\d+)/)) - shared) / runs,
          subscriberReads: (await metric(port, /caravan_stream_reads_total\{reader="subscriber"\} (\d+)/)) - own,
          kibPerSubscriberPerRun: (clients.reduce((n, c) => n + c.bytes, 0) - bytes) / count / runs / 1024,
          deliveredP50Ms: delivered[Math.floor((delivered.length - 1) / 2)] as number,
          deliveredMaxMs: delivered[delivered.length - 1] as number,
          apiRssMb: rss,
          refusedStreams: clients.reduce((n, c) => n + c.refused, 0),
        });
        log(
          `  ${count} subscriber(s): ${((cpuUsed / runs) * 1000).toFixed(1)} ms api CPU per run, ` +
            `delivered to all in p50 ${figures.at(-1)?.deliveredP50Ms.toFixed(0)} ms`,
        );
      } finally {
        for (const c of clients) c.close();
        await waitFor(async () => (await metric(port, /caravan_stream_subscribers (\d+)/)) === 0, {
          timeoutMs: 60_000,
          what: 'every stream closed',
        }).catch(() => undefined);
      }
    }
  } finally {
    await stopApp(api);
  }
  return figures;
}
