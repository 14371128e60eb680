import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel's ephemeral range (the local ports of outgoing connections). A port picked from it
 * is free when picked, but once its app stops (a kill -9, a broker restart) any process's next
 * outgoing connection may take it as its local port, and the app restarted on it fails with
 * EADDRINUSE for as long as that connection lives. Ports handed out here lie below it.
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && low > 0 && high >= low) return [low, high];
  } catch {
    // Not Linux (or no /proc): the IANA range, the default of most other systems.
  }
  return [49_152, 65_535];
}

/** Where ports are picked: from 10000 up to the ephemeral range (or above it, if that starts too low). */
function pickRange(count: number): [number, number] {
  const [low, high] = ephemeralRange();
  if (low - 10_000 >= 1_000 + count) return [10_000, low - count];
  return [high + 1, 65_536 - count];
}

/** Whether `port` can be listened on at 127.0.0.1 right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive ports free on 127.0.0.1 right now, outside the kernel's
 * ephemeral range (a broker and its controller, an app per port of a base), picked at random so
 * that parallel test workers seldom try the same ones.
 */
export async function freePortRun(count: number): Promise<number> {
  const [from, to] = pickRange(count);
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const first = from + Math.floor(Math.random() * (to - from));
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portIsFree(first + i)));
    if (free.every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports between ${from} and ${to + count - 1}`);
}

/** A TCP port free on 127.0.0.1 right now (for an app, a broker or a container reached by number). */
export function freePort(): Promise<number> {
  return freePortRun(1);
}
