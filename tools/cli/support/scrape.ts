/** Sums of Prometheus samples by metric name (and by one label when asked), from an app's /metrics. */
export async function scrapeMetrics(url: string, timeoutMs = 2_000): Promise<Map<string, Array<{ labels: Record<string, string>; value: number }>> | undefined> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined);
  if (!response || response.status !== 200) return undefined;
  return parsePrometheus(await response.text());
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Map<string, Array<{ labels: Record<string, string>; value: number }>> {
  const samples = new Map<string, Array<{ labels: Record<string, string>; value: number }>>();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map((m) => [m[1] as string, m[2] as string]));
    const list = samples.get(match[1] as string) ?? [];
    list.push({ labels, value: Number(match[3]) });
    samples.set(match[1] as string, list);
  }
  return samples;
}
