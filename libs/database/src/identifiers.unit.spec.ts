import { databaseNameOf, quoteIdentifier, redactUrl, withDatabase } from './identifiers';

describe('SQL identifiers and database URLs', () => {
  it('quotes plain names and refuses anything else', () => {
    expect(quoteIdentifier('caravan_t_1')).toBe('"caravan_t_1"');
    for (const bad of ['Caravan', 'a"b', 'a;drop', '', '1abc', 'x'.repeat(64)]) {
      expect(() => quoteIdentifier(bad)).toThrow(/unsafe SQL identifier/);
    }
  });

  it('reads and replaces the database of a URL', () => {
    const url = 'postgres://user:secret@127.0.0.1:5432/caravan?sslmode=disable';
    expect(databaseNameOf(url)).toBe('caravan');
    expect(withDatabase(url, 'other')).toBe('postgres://user:secret@127.0.0.1:5432/other?sslmode=disable');
    expect(redactUrl(url)).toBe('postgres://user:***@127.0.0.1:5432/caravan?sslmode=disable');
    expect(() => databaseNameOf('postgres://127.0.0.1:5432')).toThrow(/names no database/);
  });
});
