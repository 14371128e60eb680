import type { Projection } from '../projection';
import { arrivalsDaily } from './arrivals-daily.projection';
import { bookings } from './bookings.projection';
import { mediaDaily } from './media-daily.projection';

export * from './arrivals-daily.projection';
export * from './bookings.projection';
export * from './media-daily.projection';

/** Every projection the projector runs. */
export const PROJECTIONS: readonly Projection[] = [arrivalsDaily, bookings, mediaDaily];
