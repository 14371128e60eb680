import type { Projection } from '../projection';
import { arrivalsDaily } from './arrivals-daily.projection';
import { bookings } from './bookings.projection';
import { mediaDaily } from './media-daily.projection';
import { watermark } from './watermark.projection';

export * from './arrivals-daily.projection';
export * from './bookings.projection';
export * from './media-daily.projection';
export * from './watermark.projection';

/** Every projection the projector runs. */
export const PROJECTIONS: readonly Projection[] = [arrivalsDaily, bookings, mediaDaily, watermark];
