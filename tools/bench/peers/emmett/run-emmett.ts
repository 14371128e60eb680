/** `npx tsx tools/bench/peers/emmett/run-emmett.ts [count]`: the Emmett peer alone, on historic traffic. */
import { loadConfig } from '@caravan/config';
import type { TourismEvent } from '@caravan/contract';
import { historicTraffic } from '@caravan/simulator';
import { benchEmmett } from './emmett-peer';

const TIME_ZONE = 'Asia/Almaty';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20_000);
  const databaseUrl = loadConfig('tool').database.url;
  const events: TourismEvent[] = [];
  const traffic = historicTraffic({
    seed: 7,
    timeZone: TIME_ZONE,
    mix: { badShare: 0, duplicateShare: 0 },
    from: new Date('2024-01-01T00:00:00+05:00'),
    to: new Date('2025-01-01T00:00:00+05:00'),
    count,
  });
  for (const r of traffic) if (r.expected.outcome === 'accepted' && r.event) events.push(r.event);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const result = await benchEmmett({ databaseUrl, events, timeZone: TIME_ZONE, log });
  log(JSON.stringify(result, null, 2));
  if (!result.check.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`run-emmett: ${(error as Error).stack}\n`);
  process.exit(1);
});
