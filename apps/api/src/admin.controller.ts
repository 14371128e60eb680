import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  AdminService,
  AdminTokenGuard,
  parseBody,
  parseQuery,
  rejectionsQuery,
  replayBody,
  setAsideQuery,
} from '@caravan/api';

@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  /** Rejected records by code and time, with their original bytes (base64). */
  @Get('rejections')
  rejections(@Query() query: Record<string, unknown>) {
    const { scope: _scope, ...q } = parseQuery(rejectionsQuery, query);
    return this.admin.rejections(q);
  }

  /** Re-validates unresolved rejections (by ids or code) against the current schemas; each outcome is recorded. */
  @Post('rejections/replay')
  @HttpCode(200)
  replay(@Body() body: unknown) {
    return this.admin.replay(parseBody(replayBody, body));
  }

  /** Events a projection could not apply and set aside (position, eventId, error), newest first. */
  @Get('projections/set-aside')
  setAside(@Query() query: Record<string, unknown>) {
    const { scope: _scope, ...q } = parseQuery(setAsideQuery, query);
    return this.admin.setAside(q);
  }

  /** Rebuilds a projection beside the live one (queries keep being served), then swaps; answers at once with a job. */
  @Post('projections/:name/rebuild')
  @HttpCode(202)
  rebuild(@Param('name') name: string) {
    return this.admin.startRebuild(name);
  }

  /** A rebuild's progress: events replayed so far, then its report (differing rows) and whether it swapped. */
  @Get('rebuilds/:id')
  rebuildStatus(@Param('id') id: string) {
    return this.admin.rebuildStatus(id);
  }

  /** consumed = accepted + duplicate + rejected, per topic. */
  @Get('counters')
  counters() {
    return this.admin.counters();
  }
}
