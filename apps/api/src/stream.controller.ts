import { BadRequestException, Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { parseQuery, SnapshotStream, streamQuery } from '@caravan/api';
import { CONFIG, type CaravanConfig } from '@caravan/config';

@Controller('v1/kpis')
export class StreamController {
  constructor(
    private readonly stream: SnapshotStream,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  /**
   * Server-Sent Events of snapshots (event `snapshot`, id = history id), filtered like /v1/kpis;
   * heartbeats as comments; a reconnect with Last-Event-ID resumes after that id without loss.
   */
  @Get('stream')
  async open(@Query() query: Record<string, unknown>, @Headers('last-event-id') lastEventId: string | undefined, @Res() res: Response): Promise<void> {
    const q = parseQuery(streamQuery, query);
    const resumeFrom = lastEventId ?? q.lastEventId;
    if (resumeFrom !== undefined && !/^\d{1,18}$/.test(resumeFrom)) throw new BadRequestException('Last-Event-ID: expected a history id');
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const write = (chunk: string) => void res.write(chunk);
    const { unsubscribe, head } = await this.stream.subscribe(
      { kpi: q.kpi, window: q.window, scope: q.scope },
      resumeFrom === undefined ? undefined : BigInt(resumeFrom),
      (rows) => write(rows.map((r) => `id: ${r.id}\nevent: snapshot\ndata: ${JSON.stringify(r.snapshot)}\n\n`).join('')),
    );
    if (head !== undefined) write(`id: ${head}\nevent: caught-up\ndata: {}\n\n`);
    const heartbeat = setInterval(() => write(`: heartbeat ${new Date().toISOString()}\n\n`), this.config.api.heartbeatMs);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  }
}
