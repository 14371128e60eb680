const FORCE_AFTER = 3;

/**
 * Calls `stop` on the first SIGINT or SIGTERM. Ctrl-C in a terminal signals the whole process
 * group and `npm run` relays it again, so repeats are expected: they are ignored while stopping,
 * until the third, which exits at once.
 */
export function onInterrupt(stop: () => void): void {
  let received = 0;
  const handle = () => {
    received += 1;
    if (received === 1) return stop();
    if (received >= FORCE_AFTER) process.exit(130);
    process.stderr.write(`stopping… (${FORCE_AFTER - received} more Ctrl-C to force)\n`);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
