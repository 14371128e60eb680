import { z } from 'zod';
import { country, slug } from '../primitives';

export const PURPOSES = ['tourism', 'business', 'medical', 'transit', 'other'] as const;

export const arrivalRecordedV1 = z.strictObject({
  nationality: country,
  port: slug,
  purpose: z.enum(PURPOSES),
  travelers: z.int().min(1).max(10_000),
  destination: slug.optional(),
});

export type ArrivalRecordedData = z.infer<typeof arrivalRecordedV1>;
