import fc from 'fast-check';

/**
 * Records a producer we did not write could send, as Kafka hands them over: arbitrary bytes,
 * arbitrary JSON, and valid envelopes with one or more fields drawn from hostile generators
 * (control characters, U+0000, lone surrogates, huge and negative numbers, extreme dates and
 * offsets, hostile keys, deep nesting). Each record says which generator made it.
 */
export type HostileRecord = { kind: string; key: Buffer | null; value: Buffer | null; timestamp: string };

const CURRENCIES = ['USD', 'CNY', 'KZT', 'EUR', 'RUB', 'XAU', 'usd', ''];
const TYPES = ['ArrivalRecorded', 'BookingCreated', 'BookingCancelled', 'MediaViewsReported'];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
/** Strings PostgreSQL may refuse or that stress the text path. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .array(
      fc.oneof(
        control,
        loneSurrogate,
        fc.constantFrom('\u0000', '\u2028', '\u2029', '\ufeff', '\ud83d\ude00', '\\', '"', 'é', '中'),
      ),
      { maxLength: 12 },
    )
    .map((a) => a.join('')),
  fc
    .tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\ud800', '\udfff', '\udbff\udbff'))
    .map(([s, bad]) => `${s}${bad}${s}`),
  fc.integer({ min: 60, max: 300 }).map((n) => 'x'.repeat(n)),
);
/** Well-formed strings (no U+0000, no lone surrogate): what the contract allows, all of it. */
const fairString = (min: number, max: number) =>
  fc
    .string({ unit: 'grapheme', minLength: min, maxLength: max })
    .filter((s) => !s.includes('\u0000') && s.length >= min && s.length <= max);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    1e9,
    1e9 + 1,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    1e21,
    1e300,
    -1e300,
    0.5,
    1e-7,
  ),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number),
);
const pad = (n: number, w: number) => String(Math.abs(n)).padStart(w, '0');
/** RFC 3339-looking times from year 0000 to 9999 with any offset, and malformed ones. */
const hostileDate = fc.oneof(
  fc
    .record({
      y: fc.integer({ min: 0, max: 9999 }),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 24 }),
      mi: fc.integer({ min: 0, max: 60 }),
      s: fc.integer({ min: 0, max: 61 }),
      frac: fc.option(fc.integer({ min: 0, max: 999_999_999 }), { nil: undefined }),
      off: fc.oneof(
        fc.constant('Z'),
        fc
          .record({
            sign: fc.constantFrom('+', '-'),
            h: fc.integer({ min: 0, max: 99 }),
            m: fc.integer({ min: 0, max: 99 }),
          })
          .map((o) => `${o.sign}${pad(o.h, 2)}:${pad(o.m, 2)}`),
      ),
    })
    .map(
      (t) =>
        `${pad(t.y, 4)}-${pad(t.mo, 2)}-${pad(t.d, 2)}T` +
        `${pad(t.h, 2)}:${pad(t.mi, 2)}:${pad(t.s, 2)}${t.frac === undefined ? '' : `.${t.frac}`}${t.off}`,
    ),
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+15:59',
    '9999-12-31T23:59:59-15:59',
    '1969-12-31T23:59:59Z',
    '1970-01-01T00:00:00+15:59',
    '2024-02-30T00:00:00Z',
    '2024-06-01T10:00:00+16:00',
    '2024-06-01T10:00:00',
    '2024-06-01 10:00:00Z',
    '+012024-06-01T10:00:00Z',
    '',
  ),
  hostileString,
);
/** An instant the contract accepts, from 1970 to now, with any offset up to ±15:59. */
const fairDate = fc
  .record({ ms: fc.integer({ min: 0, max: Date.now() }), offsetMin: fc.integer({ min: -959, max: 959 }) })
  .map(({ ms, offsetMin }) => {
    const h = Math.trunc(offsetMin / 60);
    const m = Math.abs(offsetMin % 60);
    if (Math.abs(h) > 15) return new Date(ms).toISOString();
    const local = new Date(ms + (h * 60 + Math.sign(offsetMin) * m) * 60_000).toISOString().slice(0, 19);
    return `${local}${offsetMin < 0 ? '-' : '+'}${pad(h, 2)}:${pad(m, 2)}`;
  });

const slug = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const country = fc.stringMatching(/^[A-Z]{2}$/);
const amount = fc.oneof(
  fc.integer({ min: 0, max: 10_000_000_000 }).map((c) => (c / 100).toFixed(2)),
  fc.constantFrom('0', '100000000.00', '100000000', '99999999.99'),
);

/** The data of a valid event of each type (hostile only where the contract allows anything). */
const fairData: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  ArrivalRecorded: fc.record({
    nationality: country,
    port: slug,
    purpose: fc.constantFrom('tourism', 'business', 'medical', 'transit', 'other'),
    travelers: fc.integer({ min: 1, max: 10_000 }),
    destination: fc.option(slug, { nil: undefined }),
  }),
  BookingCreated: fc.record({
    bookingId: fairString(1, 64),
    market: country,
    destination: slug,
    channel: fc.constantFrom('tour_operator', 'ota', 'agency', 'direct'),
    travelers: fc.integer({ min: 1, max: 1_000 }),
    checkIn: fc
      .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    nights: fc.integer({ min: 0, max: 365 }),
    price: fc.record({ amount, currency: fc.constantFrom(...CURRENCIES.slice(0, 5)) }),
  }),
  BookingCancelled: fc.record({
    bookingId: fairString(1, 64),
    reason: fc.option(fairString(0, 200), { nil: undefined }),
  }),
  MediaViewsReported: fc.record({
    platform: slug,
    campaign: slug,
    market: country,
    views: fc.integer({ min: 0, max: 1_000_000_000 }),
  }),
};

const envelope = fc.constantFrom(...TYPES).chain((type) =>
  fc.record({
    eventId: fc.uuid(),
    type: fc.constant(type),
    version: fc.constant(1),
    occurredAt: fairDate,
    producer: fairString(1, 64),
    data: fairData[type] as fc.Arbitrary<Record<string, unknown>>,
  }),
);

type Mutation = (e: Record<string, unknown>) => fc.Arbitrary<Record<string, unknown>>;
const dataOf = (e: Record<string, unknown>): Record<string, unknown> =>
  typeof e.data === 'object' && e.data !== null && !Array.isArray(e.data) ? (e.data as Record<string, unknown>) : {};
const deep = (depth: number): unknown => (depth === 0 ? 'bottom' : { nested: deep(depth - 1) });
/** One hostile change to a valid envelope. */
const MUTATIONS: Record<string, Mutation> = {
  'string field': (e) =>
    fc
      .tuple(
        fc.constantFrom('producer', ...Object.keys(dataOf(e)).filter((k) => typeof dataOf(e)[k] === 'string')),
        hostileString,
      )
      .map(([field, value]) =>
        field === 'producer' ? { ...e, producer: value } : { ...e, data: { ...dataOf(e), [field]: value } },
      ),
  occurredAt: () => hostileDate.map((d) => ({ occurredAt: d })),
  'hostile key': (e) =>
    fc
      .tuple(
        fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'toString', '')),
        fc.boolean(),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([key, inData, value]) =>
        inData ? { ...e, data: { ...dataOf(e), [key]: value } } : { ...e, [key]: value },
      ),
  'number field': (e) =>
    fc
      .tuple(
        fc.constantFrom('version', ...Object.keys(dataOf(e)).filter((k) => typeof dataOf(e)[k] === 'number')),
        hostileNumber,
      )
      .map(([field, value]) =>
        field === 'version' ? { ...e, version: value } : { ...e, data: { ...dataOf(e), [field]: value } },
      ),
  'price amount': (e) =>
    fc
      .oneof(
        fc.string({ maxLength: 25 }),
        fc.constantFrom('1e5', '-1', '100000000.01', '00.1', ' 1', '1.', '999999999999999.99', '0.001', 'NaN'),
        hostileNumber,
      )
      .map((a) => ({ ...e, data: { ...dataOf(e), price: { amount: a, currency: 'USD' } } })),
  currency: (e) =>
    fc
      .oneof(fc.constantFrom(...CURRENCIES), hostileString)
      .map((c) => ({ ...e, data: { ...dataOf(e), price: { amount: '10.00', currency: c } } })),
  'deep nesting': (e) =>
    fc.integer({ min: 20, max: 600 }).map((depth) => ({ ...e, data: { ...dataOf(e), extra: deep(depth) } })),
  eventId: (e) =>
    fc
      .oneof(
        fc.uuid().map((u) => u.toUpperCase()),
        fc.constantFrom(
          '00000000-0000-0000-0000-000000000000',
          'ffffffff-ffff-ffff-ffff-ffffffffffff',
          '{0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10}',
          '',
        ),
        hostileString,
      )
      .map((id) => ({ ...e, eventId: id })),
  type: (e) =>
    fc.oneof(hostileString, fc.constantFrom('arrivalrecorded', 'HotelReviewed')).map((t) => ({ ...e, type: t })),
  'missing field': (e) =>
    fc.constantFrom(...Object.keys(e)).map((k) => Object.fromEntries(Object.entries(e).filter(([key]) => key !== k))),
};

/** A valid envelope with 1–3 hostile changes, written by JSON.stringify (lone surrogates as \u escapes). */
const mutated = fc
  .tuple(envelope, fc.array(fc.constantFrom(...Object.keys(MUTATIONS)), { minLength: 1, maxLength: 3 }))
  .chain(([e, names]) =>
    names
      .reduce<fc.Arbitrary<Record<string, unknown>>>(
        (acc, name) => acc.chain((x) => (MUTATIONS[name] as Mutation)(x).map((m) => ({ ...x, ...m }))),
        fc.constant(e),
      )
      .map((value) => ({ kind: `hostile ${names.join(' + ')}`, text: JSON.stringify(value) })),
  );

/** Text-level tricks JSON.stringify never writes: huge literals, duplicate keys, raw escapes, cuts. */
const textTricks = envelope.chain((e) => {
  const text = JSON.stringify(e);
  return fc.oneof(
    fc.constant({
      kind: 'number literal 1e400',
      text: text.replace(/"travelers":\d+|"views":\d+|"nights":\d+/, (m) => `${m.split(':')[0]}:1e400`),
    }),
    fc.constant({ kind: 'duplicate key', text: text.replace('{', `{"producer":"first\\u0000",`) }),
    fc.constant({ kind: 'raw \\u0000 escape', text: text.replace('"producer":"', '"producer":"\\u0000') }),
    fc.constant({ kind: 'raw lone surrogate escape', text: text.replace('"producer":"', '"producer":"\\udc00') }),
    fc.integer({ min: 1, max: Math.max(1, text.length - 1) }).map((n) => ({ kind: 'cut', text: text.slice(0, n) })),
  );
});

const kafkaKey = fc.option(
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
  { nil: null },
);
const kafkaTimestamp = fc.oneof(
  fc.constant('-1'),
  fc.integer({ min: 0, max: 4_102_444_800_000 }).map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
);

/** One record from any of the generators, with the Kafka key and timestamp a producer may set. */
export const hostileRecord: fc.Arbitrary<HostileRecord> = fc
  .tuple(
    fc.oneof(
      {
        weight: 30,
        arbitrary: envelope.map((e) => ({
          kind: 'valid envelope',
          text: JSON.stringify(e) as string | null,
          bytes: undefined as Uint8Array | undefined,
        })),
      },
      { weight: 40, arbitrary: mutated.map((m) => ({ ...m, bytes: undefined })) },
      { weight: 10, arbitrary: textTricks.map((m) => ({ ...m, bytes: undefined })) },
      {
        weight: 10,
        arbitrary: fc
          .jsonValue({ maxDepth: 4 })
          .map((v) => ({ kind: 'arbitrary JSON', text: JSON.stringify(v) ?? 'null', bytes: undefined })),
      },
      {
        weight: 10,
        arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ kind: 'arbitrary bytes', text: null, bytes: b })),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'empty value', text: null, bytes: undefined }) },
    ),
    kafkaKey,
    kafkaTimestamp,
  )
  .map(([v, key, timestamp]) => ({
    kind: v.kind,
    key,
    value: v.bytes ? Buffer.from(v.bytes) : v.text === null ? null : Buffer.from(v.text),
    timestamp,
  }));
