import { Loops } from './loops';

describe('Loops', () => {
  it('reports a loop that stopped, or whose last sign of life is older than it promised', () => {
    const loops = new Loops();
    const consumer = loops.register('consumer', 1_000);
    const relay = loops.register('dlq-relay', 60_000);
    expect(loops.failing()).toEqual([]);
    consumer.down('KafkaJSNotImplemented: Snappy compression not implemented');
    expect(loops.failing()).toEqual([
      expect.objectContaining({ loop: 'consumer', running: false, downReason: expect.stringContaining('Snappy') }),
    ]);
    consumer.up(true);
    expect(loops.failing()).toEqual([]);
    expect(loops.failing(Date.now() + 5_000).map((r) => r.loop)).toEqual(['consumer']);
    relay.failed(new Error('Kafka away'));
    // A failed iteration is no stop: the loop goes on and retries.
    expect(loops.reports().find((r) => r.loop === 'dlq-relay')).toMatchObject({
      running: true,
      stalled: false,
      lastError: 'Kafka away',
    });
  });

  it('names a second loop of the same name apart and forgets one stopped on purpose', () => {
    const loops = new Loops();
    const a = loops.register('consumer', 1_000);
    const b = loops.register('consumer', 1_000);
    expect([a.loop, b.loop]).toEqual(['consumer', 'consumer#2']);
    b.down('crashed');
    loops.unregister(b.loop);
    expect(loops.failing()).toEqual([]);
  });
});
