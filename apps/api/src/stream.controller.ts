import {
  BadRequestException,
  Controller,
  Get,
  Headers,
  Inject,
  Query,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  parseQuery,
  SnapshotStream,
  type StreamedSnapshot,
  StreamClosingError,
  StreamLimitError,
  streamQuery,
  type Subscription,
} from '@caravan/http-api';
import { CONFIG, type CaravanConfig } from '@caravan/config';

@Controller('v1/kpis')
export class StreamController {
  constructor(
    private readonly stream: SnapshotStream,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  /**
   * Server-Sent Events of snapshots (event `snapshot`, id = history id), filtered like /v1/kpis;
   * heartbeats as comments; a reconnect with Last-Event-ID resumes after that id without loss (or,
   * when that id is older than the history kept, with the latest per key and `history-truncated`).
   * 503 beyond API_STREAM_MAX_CLIENTS streams.
   */
  @Get('stream')
  async open(
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const q = parseQuery(streamQuery, query);
    const resumeFrom = lastEventId ?? q.lastEventId;
    if (resumeFrom !== undefined && !/^\d{1,18}$/.test(resumeFrom))
      throw new BadRequestException('Last-Event-ID: expected a history id');
    // A client gone while the subscription is set up is let go as soon as it is.
    let closed = false;
    let unsubscribe: (() => void) | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    res.on('close', () => {
      closed = true;
      clearInterval(heartbeat);
      unsubscribe?.();
    });
    const write = (chunk: string) => void (closed || res.write(chunk));
    let subscription: Subscription;
    try {
      subscription = await this.stream.subscribe(
        { kpi: q.kpi, window: q.window, scope: q.scope },
        resumeFrom === undefined ? undefined : BigInt(resumeFrom),
        (rows) => {
          if (!res.headersSent) start(res);
          write(framesOf(rows));
        },
        // The api shutting down ends the stream (its client reconnects, with Last-Event-ID).
        () => res.end(),
      );
    } catch (error) {
      if (error instanceof StreamLimitError) {
        res.set('Retry-After', '5');
        throw new ServiceUnavailableException(`${error.message}; retry later`);
      }
      if (error instanceof StreamClosingError) {
        res.set('Retry-After', '1');
        throw new ServiceUnavailableException(`${error.message}; retry later`);
      }
      throw error;
    }
    if (closed) return subscription.unsubscribe();
    unsubscribe = subscription.unsubscribe;
    if (!res.headersSent) start(res);
    if (subscription.truncated) {
      write(
        `id: ${subscription.head}\nevent: history-truncated\n` +
          `data: ${JSON.stringify({ prunedUpTo: subscription.truncated.prunedUpTo, resumedFrom: resumeFrom })}\n\n`,
      );
    }
    if (subscription.head !== undefined) write(`id: ${subscription.head}\nevent: caught-up\ndata: {}\n\n`);
    heartbeat = setInterval(() => write(`: heartbeat ${new Date().toISOString()}\n\n`), this.config.api.heartbeatMs);
  }
}

/** The shared reader hands one array to every subscriber with the same filter: its frames are built once. */
const frames = new WeakMap<readonly StreamedSnapshot[], string>();
function framesOf(rows: readonly StreamedSnapshot[]): string {
  let text = frames.get(rows);
  if (text === undefined)
    frames.set(rows, (text = rows.map((r) => `id: ${r.id}\nevent: snapshot\ndata: ${r.json}\n\n`).join('')));
  return text;
}

/** The event stream's status and headers, sent with its first bytes (so a refusal can still be a 503). */
function start(res: Response): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
}
