/**
 * The "tutorial shape" peer of `npm run bench`: a NestJS microservice on the standard Kafka
 * transport, one handler call per message, validate, then BEGIN / INSERT event / upsert one
 * daily aggregate row / COMMIT per event. Run as a child process, timed from spawn.
 */
import type { PeerResult } from '../peer-result';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase, withDatabase } from '@caravan/database';
import { checkStore } from './tutorial-check';
import { DEFAULT_LIMITS, runTutorialProcess } from './tutorial-process';
import { TUTORIAL_DDL } from './tutorial.schema';

export type { PeerResult } from '../peer-result';

export type TutorialInput = {
  brokers: string[];
  topics: { bookings: string; arrivals: string; media: string };
  expectedRecords: number;
  databaseUrl: string;
  timeZone: string;
  log: (line: string) => void;
};

export async function benchTutorial(input: TutorialInput): Promise<PeerResult> {
  const id = randomBytes(4).toString('hex');
  const dbName = `caravan_bench_tutorial_${id}`;
  const url = withDatabase(input.databaseUrl, dbName);
  await ensureDatabase(url);
  try {
    await createTables(url);
    input.log(
      `tutorial: NestJS Kafka transport in a child process (tsx), database ${dbName}, group tutorial-${id}-server`,
    );
    const run = await runTutorialProcess(
      {
        brokers: input.brokers,
        topics: input.topics,
        databaseUrl: url,
        timeZone: input.timeZone,
        clientId: `tutorial-${id}`,
        groupId: `tutorial-${id}`,
        expectedRecords: input.expectedRecords,
      },
      DEFAULT_LIMITS,
    );
    const { handled, invalid, duplicates, redelivered, validIds } = run.closed;
    const store = await checkStore(url, validIds);
    const steady = run.steadySeconds
      ? `${Math.round((handled - 1) / run.steadySeconds)}/s after the first message ` +
        `(${(run.seconds - run.steadySeconds).toFixed(1)} s start-up)`
      : 'no steady rate';
    const counts =
      `${handled} records handled: ${store.stored} events stored, ${duplicates} ` +
      `duplicates (${redelivered} records delivered again by the group), ${invalid} invalid; ` +
      `arrivals travelers ${store.travelers}`;
    const exact = handled === input.expectedRecords ? [] : [`handled ${handled}, expected ${input.expectedRecords}`];
    const problems = [...exact, ...store.problems];
    return {
      name: 'tutorial (Nest Kafka transport, 1 tx per event)',
      events: input.expectedRecords,
      seconds: run.seconds,
      eventsPerSecond: input.expectedRecords / run.seconds,
      cpuSeconds: run.cpuSeconds,
      peakRssMb: run.peakRssMb,
      check: { ok: problems.length === 0, detail: [steady, counts, ...problems].join('; ') },
    };
  } finally {
    await dropDatabase(input.databaseUrl, dbName);
  }
}

async function createTables(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const ddl of TUTORIAL_DDL) await client.query(ddl);
  } finally {
    await client.end();
  }
}
