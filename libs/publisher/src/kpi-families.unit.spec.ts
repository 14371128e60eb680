import { SERIES_KPIS } from '@caravan/contract';
import { KPI_FAMILIES } from './kpi-families';

describe('the KPI families', () => {
  it("read every KPI with a daily series from the contract's breakdowns, once each, in its order", () => {
    expect(KPI_FAMILIES.flatMap((f) => Object.keys(f.measures))).toEqual(SERIES_KPIS);
  });
});
