import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import {
  AdminRequestsService,
  AdminService,
  AdminTokenGuard,
  parseBody,
  parseQuery,
  rejectionsQuery,
  replayBody,
  RequiresScope,
  setAsideQuery,
} from '@caravan/http-api';

/** Each route names the token scope it needs (read, replay, rebuild); every request is audited. */
@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly requests: AdminRequestsService,
  ) {}

  /** Rejected records by code and time, with their original bytes (base64). */
  @Get('rejections')
  @RequiresScope('read')
  rejections(@Query() query: Record<string, unknown>) {
    const { scope: _scope, ...q } = parseQuery(rejectionsQuery, query);
    return this.admin.rejections(q);
  }

  /**
   * Re-validates unresolved rejections (by ids or code) against the current schemas, in the
   * ingestor; each outcome is recorded. 200 with the outcomes, or 202 with where to follow it
   * when no ingestor finished it within the wait.
   */
  @Post('rejections/replay')
  @RequiresScope('replay')
  async replay(@Body() body: unknown, @Res({ passthrough: true }) response: Response) {
    const answer = await this.requests.replay(parseBody(replayBody, body));
    response.status('outcomes' in answer ? 200 : 202);
    return answer;
  }

  /** A replay's progress (rejections replayed, their outcomes so far), then all its outcomes. */
  @Get('replays/:id')
  @RequiresScope('read')
  replayStatus(@Param('id') id: string) {
    return this.requests.replayStatus(id);
  }

  /** Events a projection could not apply and set aside (position, eventId, error), newest first. */
  @Get('projections/set-aside')
  @RequiresScope('read')
  setAside(@Query() query: Record<string, unknown>) {
    const { scope: _scope, ...q } = parseQuery(setAsideQuery, query);
    return this.admin.setAside(q);
  }

  /**
   * Asks the projector to rebuild a projection beside the live one (queries keep being served),
   * then swap; answers with a job.
   */
  @Post('projections/:name/rebuild')
  @RequiresScope('rebuild')
  @HttpCode(202)
  rebuild(@Param('name') name: string) {
    return this.requests.startRebuild(name);
  }

  /** A rebuild's progress: events replayed so far, then its report (differing rows) and whether it swapped. */
  @Get('rebuilds/:id')
  @RequiresScope('rebuild')
  rebuildStatus(@Param('id') id: string) {
    return this.requests.rebuildStatus(id);
  }

  /** consumed = accepted + duplicate + rejected, per topic. */
  @Get('counters')
  @RequiresScope('read')
  counters() {
    return this.admin.counters();
  }
}
