import { Controller, Get, Query } from '@nestjs/common';
import { KpiReadRepository, latestKpisQuery, parseQuery, timeSeriesQuery } from '@caravan/http-api';

@Controller('v1/kpis')
export class KpisController {
  constructor(private readonly kpis: KpiReadRepository) {}

  /** The latest snapshots, filtered by kpi, window and scope.<dimension>=value, paginated. */
  @Get()
  latest(@Query() query: Record<string, unknown>) {
    return this.kpis.latest(parseQuery(latestKpisQuery, query));
  }

  /** A KPI per day, ISO week or month between two dates, from the daily aggregates, zero-filled. */
  @Get('series')
  async series(@Query() query: Record<string, unknown>) {
    const q = parseQuery(timeSeriesQuery, query);
    return {
      kpi: q.kpi,
      granularity: q.granularity,
      from: q.from,
      to: q.to,
      scope: q.scope,
      points: await this.kpis.series(q),
    };
  }
}
