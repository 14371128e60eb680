/** What every peer of the benchmark reports, beside Caravan's figures. */
export type PeerResult = {
  name: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  cpuSeconds?: number;
  peakRssMb?: number;
  check: { ok: boolean; detail: string };
};
