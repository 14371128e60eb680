import { init as zstdInit, compress as zstdCompress } from '@bokuweb/zstd-wasm';
import { decompress as zstdDecompress } from 'fzstd';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import type { KafkaCompression } from '@caravan/config';
import { compressFrame as lz4Compress, decompressFrame as lz4Decompress } from 'lz4-napi';

export type Compression = KafkaCompression;

export const COMPRESSION_TYPES: Record<KafkaCompression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

type Codec = {
  compress: (encoder: { buffer: Buffer }) => Promise<Buffer>;
  decompress: (buffer: Buffer) => Promise<Buffer>;
};

/** A codec whose failures name it: a batch that cannot be read says which codec failed, not only a byte offset. */
function named(name: string, codec: Codec): () => Codec {
  const wrap =
    <T>(what: string, f: (input: T) => Promise<Buffer>) =>
    async (input: T): Promise<Buffer> => {
      try {
        return await f(input);
      } catch (error) {
        throw new Error(`cannot ${what} a ${name} record batch: ${(error as Error).message}`);
      }
    };
  const instance = { compress: wrap('compress', codec.compress), decompress: wrap('decompress', codec.decompress) };
  return () => instance;
}

let zstdReady: Promise<void> | undefined;
let registered = false;

/**
 * Teaches kafkajs (which reads only gzip by itself: a snappy batch crashes its consumer) every
 * codec Kafka has, from packages checked on Node 20 (docs/kafka-codecs.md says which and why):
 * snappy with xerial framing (Java, librdkafka) by kafkajs-snappy; LZ4 frames by lz4-napi;
 * zstd frames, also the streamed ones without a content size the Java client writes, by fzstd,
 * and zstd compression by @bokuweb/zstd-wasm. Idempotent; every Kafka client Caravan creates calls it.
 */
export function registerCodecs(): void {
  if (registered) return;
  registered = true;
  const codecs = CompressionCodecs as Record<CompressionTypes, () => Codec>;
  codecs[CompressionTypes.Snappy] = named('snappy', SnappyCodec());
  codecs[CompressionTypes.LZ4] = named('lz4', {
    compress: (encoder) => lz4Compress(encoder.buffer),
    decompress: (buffer) => lz4Decompress(buffer),
  });
  codecs[CompressionTypes.ZSTD] = named('zstd', {
    compress: async (encoder) => {
      zstdReady ??= zstdInit();
      await zstdReady;
      return Buffer.from(zstdCompress(encoder.buffer, 3));
    },
    decompress: async (buffer) => Buffer.from(zstdDecompress(buffer)),
  });
}
