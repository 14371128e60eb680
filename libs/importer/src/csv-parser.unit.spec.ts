import { type CsvRow, parseCsv } from './csv-parser';
import { ImportFileError } from './import-file-error';

async function rows(chunks: Iterable<string>, maxRowChars?: number): Promise<CsvRow[]> {
  const out: CsvRow[] = [];
  for await (const row of parseCsv(chunks, maxRowChars)) out.push(row);
  return out;
}

const inChunksOf = (text: string, size: number): string[] =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

describe('parseCsv', () => {
  it('splits on commas and LF, keeps empty cells, and skips blank lines', async () => {
    expect(await rows(['a,b,c\n1,,3\n\n,,\nx,y,z'])).toEqual([
      { line: 1, cells: ['a', 'b', 'c'], raw: 'a,b,c' },
      { line: 2, cells: ['1', '', '3'], raw: '1,,3' },
      { line: 4, cells: ['', '', ''], raw: ',,' },
      { line: 5, cells: ['x', 'y', 'z'], raw: 'x,y,z' },
    ]);
  });

  it('reads quoted fields with commas and doubled quotes', async () => {
    expect(await rows(['id,reason\n1,"ill, postponed"\n2,"said ""no"", twice"\n3,""\n'])).toEqual([
      { line: 1, cells: ['id', 'reason'], raw: 'id,reason' },
      { line: 2, cells: ['1', 'ill, postponed'], raw: '1,"ill, postponed"' },
      { line: 3, cells: ['2', 'said "no", twice'], raw: '2,"said ""no"", twice"' },
      { line: 4, cells: ['3', ''], raw: '3,""' },
    ]);
  });

  it('keeps a newline inside quotes and gives each row the line it starts on', async () => {
    const text = 'a,b\n1,"two\nlines"\n2,"three\r\nmore\nlines"\n3,x\n';
    expect((await rows([text])).map((r) => [r.line, r.cells])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', 'two\nlines']],
      [4, ['2', 'three\r\nmore\nlines']],
      [7, ['3', 'x']],
    ]);
  });

  it('takes CRLF as a line end, after quoted and unquoted fields alike', async () => {
    expect(await rows(['a,"b"\r\n1,2\r\n"3",4\r\n\r\n5,6\r\n'])).toEqual([
      { line: 1, cells: ['a', 'b'], raw: 'a,"b"' },
      { line: 2, cells: ['1', '2'], raw: '1,2' },
      { line: 3, cells: ['3', '4'], raw: '"3",4' },
      { line: 5, cells: ['5', '6'], raw: '5,6' },
    ]);
  });

  it('drops a UTF-8 BOM at the start of the file only', async () => {
    expect((await rows(['\uFEFFtype,x\n\uFEFFa,b\n'])).map((r) => r.cells)).toEqual([
      ['type', 'x'],
      ['\uFEFFa', 'b'],
    ]);
    expect((await rows(['', '\uFEFF', 'type\n'])).map((r) => r.cells)).toEqual([['type']]);
  });

  it('gives the same rows whatever the chunk boundaries, down to one character at a time', async () => {
    const text = '\uFEFFid,reason,n\r\n1,"ill, ""very""\r\nill",3\r\n2,plain,4\n\n3,"",\r\n"4","x\n\ny",5';
    const whole = await rows([text]);
    expect(whole).toHaveLength(5);
    expect(whole[1]).toEqual({ line: 2, cells: ['1', 'ill, "very"\r\nill', '3'], raw: '1,"ill, ""very""\r\nill",3' });
    expect(whole[4]).toEqual({ line: 7, cells: ['4', 'x\n\ny', '5'], raw: '"4","x\n\ny",5' });
    for (const size of [1, 2, 3, 5, 7]) expect(await rows(inChunksOf(text, size))).toEqual(whole);
  });

  it('marks a row with text after a closing quote, and keeps reading the file', async () => {
    expect(await rows(['a,b\n"x"y,1\n"p"\rq,2\nok,3\n'])).toEqual([
      { line: 1, cells: ['a', 'b'], raw: 'a,b' },
      { line: 2, cells: ['xy', '1'], raw: '"x"y,1', error: 'text after the closing quote of a field' },
      { line: 3, cells: ['p\rq', '2'], raw: '"p"\rq,2', error: 'text after the closing quote of a field' },
      { line: 4, cells: ['ok', '3'], raw: 'ok,3' },
    ]);
  });

  it('keeps a quote inside an unquoted field as a character', async () => {
    expect((await rows(['5" screen,x\n']))[0]?.cells).toEqual(['5" screen', 'x']);
  });

  it('marks a quoted field never closed at the end of the file', async () => {
    expect(await rows(['a,b\n1,"open\nstill open'])).toEqual([
      { line: 1, cells: ['a', 'b'], raw: 'a,b' },
      {
        line: 2,
        cells: ['1', 'open\nstill open'],
        raw: '1,"open\nstill open',
        error: 'a quoted field of the row starting on line 2 is never closed',
      },
    ]);
  });

  it('reads a last row without a line end, and one ending with a comma', async () => {
    expect((await rows(['a,b\n1,'])).map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['1', ''],
    ]);
    expect((await rows(['a,b\r'])).map((r) => r.cells)).toEqual([['a', 'b']]);
    expect(await rows([])).toEqual([]);
  });

  it('stops with an ImportFileError when a row grows past the limit (an unclosed quote eating the file)', async () => {
    const parse = rows(['a,b\n1,"', 'x'.repeat(50), 'y'.repeat(50)], 64);
    await expect(parse).rejects.toThrow(ImportFileError);
    await expect(rows(['a,b\n1,"', 'x'.repeat(100)], 64)).rejects.toThrow(
      'the CSV row starting on line 2 is longer than 64 characters: is a closing quote missing?',
    );
  });
});
