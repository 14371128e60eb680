import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';
import {
  type ChildApp,
  configOf,
  createPipelineTopics,
  pipelineEnv,
  runCli,
  spawnApp,
  stopApp,
  totals,
  useTestDatabase,
  waitForConsumed,
} from '../harness';

type Expected = {
  sent: number;
  accepted: number;
  duplicate: number;
  rejected: Record<string, number>;
  problems: Record<string, string>;
  options: { type?: string };
};

const fixtures = join(projectRoot(), 'tests', 'fixtures', 'import');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, Expected>;
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('caravan import through the real ingestor (Kafka, PostgreSQL)', () => {
  const db = useTestDatabase();
  let ingestor: ChildApp | undefined;
  afterAll(async () => {
    if (ingestor) await stopApp(ingestor, 'SIGKILL');
  });

  it('imports NDJSON and CSV files: malformed lines are reported with their line numbers, sent, and rejected; a re-import only adds duplicates', async () => {
    const env = pipelineEnv(db().url, { LOG_LEVEL: 'warn' });
    const config = configOf(env);
    await createPipelineTopics(config);
    ingestor = spawnApp('ingestor', env);

    const want = { consumed: 0, accepted: 0, duplicate: 0, rejected: 0, rejectedByCode: {} as Record<string, number> };
    const add = (accepted: number, duplicate: number, rejected: Record<string, number>) => {
      want.accepted += accepted;
      want.duplicate += duplicate;
      want.rejected += sum(rejected);
      want.consumed += accepted + duplicate + sum(rejected);
      for (const [code, n] of Object.entries(rejected))
        want.rejectedByCode[code] = (want.rejectedByCode[code] ?? 0) + n;
    };

    for (const file of ['events.ndjson', 'arrivals-and-bookings.csv', 'arrivals.csv']) {
      const e = expected[file] as Expected;
      const run = await runCli(
        ['import', join(fixtures, file), '--quiet', ...(e.options.type ? ['--type', e.options.type] : [])],
        env,
      );
      if (run.status !== 0) throw new Error(`import ${file} exited ${run.status}: ${run.stderr}`);
      expect(run.stdout).toContain(`sent ${e.sent} records from`);
      const reported = [...run.stderr.matchAll(/^line (\d+): ([a-z_]+):/gm)].map((m) => [m[1], m[2]]);
      expect(Object.fromEntries(reported)).toEqual(e.problems);
      add(e.accepted, e.duplicate, e.rejected);
      await waitForConsumed(db().pool, config.ingest.groupId, want.consumed);
      expect((await totals(db().pool, config.ingest.groupId)).all).toEqual(want);
    }

    // The same NDJSON again: its events are duplicates now; its bad lines are rejected again.
    const ndjson = expected['events.ndjson'] as Expected;
    expect((await runCli(['import', join(fixtures, 'events.ndjson'), '--quiet'], env)).status).toBe(0);
    add(0, ndjson.accepted, ndjson.rejected);
    await waitForConsumed(db().pool, config.ingest.groupId, want.consumed);
    expect((await totals(db().pool, config.ingest.groupId)).all).toEqual(want);
    const { rows } = await db().pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events');
    expect(Number(rows[0]?.n)).toBe(want.accepted);

    // The DLQ as ops see it: every rejection, oldest first, with its code and source.
    const dlq = await runCli(['dlq', 'list', '--limit', '500'], env);
    expect(dlq.status).toBe(0);
    const listed = [...dlq.stdout.matchAll(/^#(\d+) \S+ ([a-z_]+) /gm)];
    expect(listed.map((m) => Number(m[1]))).toEqual([...Array(want.rejected).keys()].map((i) => i + 1));
    expect(dlq.stdout).toContain(`${want.rejected} of ${want.rejected} rejection(s)`);
  }, 300_000);
});
