const LF = 0x0a;

/**
 * Splits a byte stream at each LF without decoding it, so every line keeps the exact bytes of the
 * file (invalid UTF-8 included: the pipeline, not the importer, rejects it). The LF is dropped; a
 * CR before it is left for the caller. A last line without LF is yielded too.
 */
export async function* byteLines(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  for await (const chunk of chunks) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let end = bytes.indexOf(LF, start); end !== -1; end = bytes.indexOf(LF, start)) {
      // concat copies, so a yielded line does not pin the whole read chunk in memory.
      yield Buffer.concat([...pending, bytes.subarray(start, end)]);
      pending = [];
      start = end + 1;
    }
    if (start < bytes.length) pending.push(Buffer.from(bytes.subarray(start)));
  }
  if (pending.length > 0) yield Buffer.concat(pending);
}
