import { z } from 'zod';
import { KPIS, WINDOWS } from './vocabulary';

const percent = z.number().nullable().describe('rounded to one decimal; null when undefined');

/** A value of `tourism.kpi-snapshots` (docs/contract §4), keyed `kpi|window|scope`. */
export const kpiSnapshotSchema = z.strictObject({
  kpi: z.enum(KPIS),
  window: z.enum(WINDOWS),
  scope: z.record(z.string(), z.string()).describe('{} is the whole market; otherwise one dimension and its value'),
  from: z.iso.datetime({ offset: true }).describe("start of the window's first local day"),
  asOf: z.iso.datetime({ offset: true }).describe('the watermark'),
  value: z.union([z.number(), z.array(z.strictObject({ destination: z.string(), bookings: z.int() }))]),
  previous: z.union([z.number(), z.array(z.strictObject({ destination: z.string(), bookings: z.int() }))]).nullable(),
  changePct: percent,
  target: z.number().nullable().optional(),
  progressPct: percent.optional(),
  position: z
    .int()
    .min(0)
    .describe('the event-store position the snapshot reflects: every event at or below it is in the values'),
  computedAt: z.iso.datetime({ offset: true }),
});

export type KpiSnapshot = z.infer<typeof kpiSnapshotSchema>;
