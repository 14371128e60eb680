import { byteLines } from './byte-lines';

async function lines(chunks: Array<Uint8Array | string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of byteLines(chunks)) out.push(line.toString('latin1'));
  return out;
}

describe('byteLines', () => {
  it('splits at LF across chunks, keeps CR for the caller, and yields a last line without LF', async () => {
    expect(await lines(['ab', 'c\nde\r', '\n\nf', 'g'])).toEqual(['abc', 'de\r', '', 'fg']);
    expect(await lines(['x\n'])).toEqual(['x']);
    expect(await lines([])).toEqual([]);
  });

  it('keeps bytes that are not UTF-8 untouched', async () => {
    const out: Buffer[] = [];
    for await (const line of byteLines([Buffer.from([0x7b, 0xff]), Buffer.from([0xfe, 0x7d, 0x0a, 0x31])]))
      out.push(line);
    expect(out).toEqual([Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from([0x31])]);
  });
});
