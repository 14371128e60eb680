import { assertSqlFoldVersion } from './sql-fold';

describe('projections folded inside PostgreSQL', () => {
  it('start only while their types are at the version their SQL reads', () => {
    expect(() => assertSqlFoldVersion('arrivals_daily', ['ArrivalRecorded'], 1)).not.toThrow();
    expect(() => assertSqlFoldVersion('arrivals_daily', ['ArrivalRecorded'], 2)).toThrow(
      /folds ArrivalRecorded version 2 inside PostgreSQL, but the current version is 1/,
    );
  });
});
