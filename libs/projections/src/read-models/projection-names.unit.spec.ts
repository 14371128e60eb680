import { PROJECTION_NAMES } from '@caravan/contract';
import { PROJECTIONS } from '.';

// The api, the metrics and the CLI name the projections by @caravan/contract's list, without
// loading this library: the list must be what the projector runs.
describe('the projections the projector runs', () => {
  it("are the ones @caravan/contract's PROJECTION_NAMES names, in its order", () => {
    expect(PROJECTION_NAMES).toEqual(PROJECTIONS.map((p) => p.name));
  });
});
