import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort, freePortRun, portIsFree } from './ports';

describe('free ports for apps that get restarted on the same port', () => {
  it('hands out runs of free ports outside the kernel ephemeral range', async () => {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    for (let i = 0; i < 20; i++) {
      const first = await freePortRun(4);
      for (const port of [first, first + 1, first + 2, first + 3]) {
        expect(port < (low as number) || port > (high as number)).toBe(true);
        expect(await portIsFree(port)).toBe(true);
      }
      const one = await freePort();
      expect(one < (low as number) || one > (high as number)).toBe(true);
    }
  });

  it('knows a port in use is not free', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      expect(await portIsFree(port)).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
