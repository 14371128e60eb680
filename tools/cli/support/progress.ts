import { Presets, SingleBar } from 'cli-progress';

export type Progress = { increment(n?: number): void; setTotal(total: number): void; stop(): void };

const SILENT: Progress = { increment: () => undefined, setTotal: () => undefined, stop: () => undefined };

/**
 * A progress bar on stderr (stdout stays for results). Off a terminal it prints a line every two
 * seconds instead of redrawing, so CI logs show progress too. `total` undefined: a counter.
 */
export function progressBar(
  label: string,
  total: number | undefined,
  options: { quiet?: boolean; unit?: string } = {},
): Progress {
  if (options.quiet) return SILENT;
  const unit = options.unit ?? 'records';
  const bar = new SingleBar(
    {
      format:
        total === undefined
          ? `${label} {value} ${unit} | {speed}/s | {duration_formatted}`
          : `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {speed}/s | eta {eta_formatted}`,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 2_000,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  let value = 0;
  const speed = () => Math.round(value / Math.max((Date.now() - started) / 1000, 0.001));
  bar.start(total ?? 0, 0, { speed: 0 });
  return {
    increment(n = 1) {
      value += n;
      bar.update(value, { speed: speed() });
    },
    setTotal(t) {
      bar.setTotal(t);
    },
    stop() {
      bar.update(value, { speed: speed() });
      bar.stop();
    },
  };
}
