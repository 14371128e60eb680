package dev.caravan.bench.ks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams peer of `npm run bench`: the three inbound topics, validated in the spirit of
 * libs/contract (validate-record.ts), deduplicated by eventId in a state store, folded into
 * arrivals_daily, bookings_daily (with booking_state) and media_daily in one RocksDB store, and
 * emitted to a compacted topic. Exactly-once v2. Configured by environment (see Settings).
 *
 * Output record: key "<table>|<day>|<dims...>" (or "outcomes|<code>"), value the sums as decimal
 * longs joined by ',' in the order of the table's columns (see DAILY_COLUMNS).
 */
public final class KafkaStreamsPeer {
  static final String DEDUP_STORE = "event-ids";
  static final String BOOKING_STORE = "booking-state";
  static final String DAILY_STORE = "daily";
  /** Measures per output table, in value order (names as in libs/projections/src/read-models). */
  static final Map<String, List<String>> DAILY_COLUMNS = Map.of(
      "arrivals_daily", List.of("travelers", "events"),
      "media_daily", List.of("views", "reports"),
      "bookings_daily", List.of("bookings", "travelers", "revenue_cents", "cancellations", "cancelled_cents"),
      "outcomes", List.of("records"));

  /** Everything from the environment the TypeScript bench sets. */
  record Settings(String brokers, String appId, List<String> inputs, String output, String stateDir,
                  ZoneId zone, Map<String, TreeMap<Long, BigDecimal>> rates, int threads, long commitMs) {
    static Settings fromEnv() {
      Map<String, String> env = System.getenv();
      return new Settings(
          env.getOrDefault("KAFKA_BROKERS", "localhost:9092"),
          env.getOrDefault("KS_APP_ID", "caravan-bench-ks"),
          List.of(env.getOrDefault("KS_TOPIC_BOOKINGS", "tourism.bookings"),
              env.getOrDefault("KS_TOPIC_ARRIVALS", "tourism.arrivals"),
              env.getOrDefault("KS_TOPIC_MEDIA", "tourism.media")),
          env.getOrDefault("KS_OUTPUT_TOPIC", "caravan-bench-ks.daily"),
          env.getOrDefault("KS_STATE_DIR", System.getProperty("java.io.tmpdir") + "/caravan-ks"),
          ZoneId.of(env.getOrDefault("TIME_ZONE", "Asia/Almaty")),
          parseRates(env.getOrDefault("KS_RATES_JSON", "[{\"currency\":\"USD\",\"validFromMs\":0,\"usdPerUnit\":\"1\"}]")),
          Integer.parseInt(env.getOrDefault("KS_THREADS", "2")),
          Long.parseLong(env.getOrDefault("KS_COMMIT_MS", "100")));
    }
  }

  static final ObjectMapper JSON = new ObjectMapper()
      .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true)
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

  /** DEFAULT_RATES of libs/simulator as JSON: [{currency, validFromMs, usdPerUnit}]. */
  static Map<String, TreeMap<Long, BigDecimal>> parseRates(String json) {
    try {
      Map<String, TreeMap<Long, BigDecimal>> rates = new TreeMap<>();
      for (JsonNode r : JSON.readTree(json))
        rates.computeIfAbsent(r.get("currency").asText(), c -> new TreeMap<>())
            .put(r.get("validFromMs").asLong(), new BigDecimal(r.get("usdPerUnit").asText()));
      return rates;
    } catch (Exception e) {
      throw new IllegalArgumentException("KS_RATES_JSON: " + e.getMessage(), e);
    }
  }

  public static void main(String[] args) {
    Settings s = Settings.fromEnv();
    KafkaStreams streams = new KafkaStreams(topology(s, System::currentTimeMillis), props(s));
    // The bench reads these lines on stdout (start-up figures, failure detection).
    streams.setStateListener((now, before) -> System.out.println("ks-peer state " + now));
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(30))));
    streams.start();
  }

  static Properties props(Settings s) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.appId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.brokers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, s.commitMs()); // EOS default is 100 ms
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.threads()); // 2 cores: 2 threads
    p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1); // one local broker
    // No topology.optimization=all: there is one repartition per step anyway, and 4.4.0's optimizer
    // throws "Found a null keyChangingChild node" on the merge of key-changing streams below.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 64L * 1024 * 1024);
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    p.put(StreamsConfig.consumerPrefix("max.poll.records"), 2000);
    return p;
  }

  static Topology topology(Settings s, LongSupplier clock) {
    Validator validator = new Validator(s.zone(), s.rates(), clock);
    StreamsBuilder b = new StreamsBuilder();
    // RocksDB stores (changelogged, so EOS restores them); added before the processors naming them.
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEDUP_STORE),
        Serdes.String(), Serdes.String()));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BOOKING_STORE),
        Serdes.String(), Serdes.String()));
    // 1. Parse and validate; a rejection becomes key "!<code>" and goes straight to the counts.
    KStream<String, String> checked = b
        .stream(s.inputs(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("inbound"))
        .map((k, v) -> validator.check(v), Named.as("validate"));
    Map<String, KStream<String, String>> split = checked.split(Named.as("checked-"))
        .branch((k, v) -> k.startsWith("!"), Branched.as("rejected"))
        .defaultBranch(Branched.as("valid"));
    KStream<String, String> rejectedCounts = split.get("checked-rejected")
        .map((k, v) -> KeyValue.pair("outcomes|" + k.substring(1), "1"), Named.as("count-rejected"));

    // 2. Dedup by eventId: all records of one eventId meet on one partition, whatever topic they came from.
    KStream<String, String> deduped = split.get("checked-valid")
        .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName("by-event-id"))
        .process(DedupProcessor::new, Named.as("dedup"), DEDUP_STORE);
    Map<String, KStream<String, String>> byKind = deduped.split(Named.as("event-"))
        .branch((k, v) -> k.startsWith("outcomes|"), Branched.as("outcome"))
        .branch((k, v) -> v.startsWith("Booking"), Branched.as("booking"))
        .defaultBranch(Branched.as("flat"));

    // 3a. Arrivals and media: one delta per event, keyed by its row.
    KStream<String, String> flatDeltas = byKind.get("event-flat").map((eventId, v) -> Event.of(v).flatDelta(),
        Named.as("flat-delta"));
    // 3b. Bookings: booking_state per bookingId, then deltas as foldBookings makes them.
    KStream<String, String> bookingDeltas = byKind.get("event-booking")
        .selectKey((eventId, v) -> Event.of(v).bookingId(), Named.as("by-booking-key"))
        .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName("by-booking"))
        .process(BookingProcessor::new, Named.as("booking-state"), BOOKING_STORE);

    // 4. One store of daily rows, summed; its changes go to the compacted output topic.
    rejectedCounts.merge(byKind.get("event-outcome"), Named.as("outcomes"))
        .merge(flatDeltas, Named.as("flat"))
        .merge(bookingDeltas, Named.as("all-deltas"))
        .groupByKey(Grouped.with("daily", Serdes.String(), Serdes.String()))
        .reduce(KafkaStreamsPeer::sum, Materialized.<String, String, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as(DAILY_STORE)
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
        .toStream(Named.as("daily-changes"))
        .to(s.output(), Produced.with(Serdes.String(), Serdes.String()).withName("daily-out"));

    return b.build(props(s));
  }

  static String sum(String a, String b) {
    String[] x = a.split(","), y = b.split(",");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < x.length; i++) out.append(i == 0 ? "" : ",").append(Long.parseLong(x[i]) + Long.parseLong(y[i]));
    return out.toString();
  }

  /**
   * An accepted event in the small form the topology carries: tab-separated, type first, bookingId
   * (any string) last: type, eventId, occurredAtMs, localDay, contentHash, then per type
   * Arrival: nationality, port, purpose, destination, travelers; Media: platform, campaign, market, views;
   * BookingCreated: market, destination, channel, travelers, usdCents, bookingId; BookingCancelled: bookingId.
   */
  record Event(String[] f) {
    static Event of(String v) { return new Event(v.split("\t", v.startsWith("BookingCancelled") ? 6 : 11)); }
    String type() { return f[0]; }
    String eventId() { return f[1]; }
    long atMs() { return Long.parseLong(f[2]); }
    String day() { return f[3]; }
    String hash() { return f[4]; }
    String bookingId() { return f[f.length - 1]; }
    KeyValue<String, String> flatDelta() {
      return type().equals("ArrivalRecorded")
          ? KeyValue.pair(String.join("|", "arrivals_daily", day(), f[5], f[6], f[7], f[8]), f[9] + ",1")
          : KeyValue.pair(String.join("|", "media_daily", day(), f[5], f[6], f[7]), f[8] + ",1");
    }
  }

  /** eventId → content hash: the first accepted wins; same content is a duplicate, other content a conflict. */
  static final class DedupProcessor implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> seen;
    @Override public void init(ProcessorContext<String, String> context) {
      this.context = context;
      this.seen = context.getStateStore(DEDUP_STORE);
    }
    @Override public void process(Record<String, String> r) {
      String hash = Event.of(r.value()).hash();
      String before = seen.get(r.key());
      String outcome = before == null ? "accepted" : before.equals(hash) ? "duplicate" : "conflict";
      if (before == null) {
        seen.put(r.key(), hash);
        context.forward(r);
      }
      context.forward(r.withKey("outcomes|" + outcome).withValue("1"));
    }
  }

  /** booking_state as foldBookings keeps it, one event at a time; forwards bookings_daily deltas. */
  static final class BookingProcessor implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> states;
    @Override public void init(ProcessorContext<String, String> context) {
      this.context = context;
      this.states = context.getStateStore(BOOKING_STORE);
    }
    // state: "<length of the created line>:" + created event line + cancel event line ('' for none)
    @Override public void process(Record<String, String> r) {
      String stored = states.get(r.key());
      String[] parts = {"", ""};
      if (stored != null) {
        int colon = stored.indexOf(':'), n = Integer.parseInt(stored.substring(0, colon));
        parts = new String[] {stored.substring(colon + 1, colon + 1 + n), stored.substring(colon + 1 + n)};
      }
      Event created = parts[0].isEmpty() ? null : Event.of(parts[0]);
      Event cancel = parts[1].isEmpty() ? null : Event.of(parts[1]);
      String old = cancellation(created, cancel);
      Event e = Event.of(r.value());
      if (e.type().equals("BookingCreated")) {
        emit(r, rowKey(e.day(), e), "1," + e.f()[8] + "," + e.f()[9] + ",0,0");
        if (earlier(e, created)) { created = e; parts[0] = r.value(); }
      } else if (earlier(e, cancel)) {
        cancel = e;
        parts[1] = r.value();
      }
      String now = cancellation(created, cancel);
      if (old != null && !old.equals(now)) emit(r, old.substring(0, old.lastIndexOf('#')), "0,0,0,-1,-" + old.substring(old.lastIndexOf('#') + 1));
      if (now != null && !now.equals(old)) emit(r, now.substring(0, now.lastIndexOf('#')), "0,0,0,1," + now.substring(now.lastIndexOf('#') + 1));
      states.put(r.key(), parts[0].length() + ":" + parts[0] + parts[1]);
    }
    private static boolean earlier(Event a, Event b) {
      return b == null || a.atMs() < b.atMs() || (a.atMs() == b.atMs() && a.eventId().compareTo(b.eventId()) < 0);
    }
    private static String rowKey(String day, Event created) {
      return String.join("|", "bookings_daily", day, created.f()[5], created.f()[6], created.f()[7]);
    }
    /** The counted cancellation, "<row key>#<cents>": on the cancel's day, with the booking's dimensions and price. */
    private static String cancellation(Event created, Event cancel) {
      return created == null || cancel == null ? null : rowKey(cancel.day(), created) + "#" + created.f()[9];
    }
    private void emit(Record<String, String> r, String key, String delta) {
      context.forward(r.withKey(key).withValue(delta));
    }
  }

  /** validate-record.ts in Java: the same checks in the same order, without I/O. */
  static final class Validator {
    static final int MAX_RECORD_BYTES = 64 * 1024;
    static final long FUTURE_TOLERANCE_MS = 24L * 60 * 60 * 1000;
    static final Pattern UUID = Pattern.compile("^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$");
    static final String DATE = "(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))";
    static final Pattern ISO_DATE = Pattern.compile("^" + DATE + "$");
    static final Pattern DATETIME = Pattern.compile("^" + DATE + "T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|([+-](?:[01]\\d|2[0-3]):[0-5]\\d)))$");
    static final Pattern OCCURRED_AT_BOUNDS = Pattern.compile("^(?:19[7-9]\\d|[2-9]\\d{3})-.*(?:Z|[+-](?:0\\d|1[0-5]):[0-5]\\d)$");
    static final Pattern SLUG = Pattern.compile("^[a-z][a-z0-9-]{0,63}$");
    static final Pattern COUNTRY = Pattern.compile("^[A-Z]{2}$");
    static final Pattern CURRENCY = Pattern.compile("^[A-Z]{3}$");
    static final Pattern AMOUNT = Pattern.compile("^(?:(?:0|[1-9]\\d{0,7})(?:\\.\\d{1,2})?|100000000(?:\\.00?)?)$");
    static final Set<String> ENVELOPE = Set.of("eventId", "type", "version", "occurredAt", "producer", "data");
    static final Set<String> PURPOSES = Set.of("tourism", "business", "medical", "transit", "other");
    static final Set<String> CHANNELS = Set.of("tour_operator", "ota", "agency", "direct");

    private final ZoneId zone;
    private final Map<String, TreeMap<Long, BigDecimal>> rates;
    private final LongSupplier clock;

    Validator(ZoneId zone, Map<String, TreeMap<Long, BigDecimal>> rates, LongSupplier clock) {
      this.zone = zone;
      this.rates = rates;
      this.clock = clock;
    }

    /** (eventId, Event line) when accepted, ("!" + rejection code, detail) when not. */
    KeyValue<String, String> check(byte[] value) {
      if (value == null || value.length == 0) return reject("malformed_json", "empty record value");
      if (value.length > MAX_RECORD_BYTES) return reject("too_large", value.length + " bytes");
      JsonNode json;
      try {
        StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(value)); // fatal, as TextDecoder
        json = JSON.readTree(value);
      } catch (Exception e) {
        return reject("malformed_json", e.getMessage());
      }
      if (json == null || !json.isObject()) return reject("malformed_json", "the value is not a JSON object");
      if (!wellFormed(json)) return reject("schema", "a string holds U+0000 or a lone surrogate");
      List<String> problems = new ArrayList<>();
      strict(json, ENVELOPE, ENVELOPE, "", problems);
      String eventId = text(json, "eventId", UUID, problems);
      String type = string(json, "type", 1, 64, problems);
      long version = integer(json, "version", 1, Long.MAX_VALUE, problems);
      String occurredAt = text(json, "occurredAt", DATETIME, problems);
      if (occurredAt != null && !OCCURRED_AT_BOUNDS.matcher(occurredAt).matches()) problems.add("occurredAt: bounds");
      string(json, "producer", 1, 64, problems);
      JsonNode data = json.get("data");
      if (data == null || !data.isObject()) problems.add("data: expected an object");
      if (!problems.isEmpty()) return reject("schema", String.join("; ", problems));

      if (!Set.of("ArrivalRecorded", "MediaViewsReported", "BookingCreated", "BookingCancelled").contains(type))
        return reject("unknown_type", type);
      if (version != 1) return reject("unknown_version", type + "@" + version);
      long atMs = OffsetDateTime.parse(occurredAt).toInstant().toEpochMilli();
      String day = Instant.ofEpochMilli(atMs).atZone(zone).toLocalDate().toString();
      String id = eventId.toLowerCase();
      StringBuilder line = new StringBuilder(type).append('\t').append(id).append('\t').append(atMs).append('\t')
          .append(day).append('\t').append(contentHash((ObjectNode) json)).append('\t');
      String currency = null;
      String amount = null;
      switch (type) {
        case "ArrivalRecorded" -> {
          strict(data, Set.of("nationality", "port", "purpose", "travelers", "destination"),
              Set.of("nationality", "port", "purpose", "travelers"), "data.", problems);
          String n = text(data, "nationality", COUNTRY, problems), port = text(data, "port", SLUG, problems);
          String purpose = oneOf(data, "purpose", PURPOSES, problems);
          long travelers = integer(data, "travelers", 1, 10_000, problems);
          String dest = data.has("destination") ? text(data, "destination", SLUG, problems) : "";
          line.append(String.join("\t", n, port, purpose, dest, Long.toString(travelers)));
        }
        case "MediaViewsReported" -> {
          strict(data, Set.of("platform", "campaign", "market", "views"), Set.of("platform", "campaign", "market", "views"),
              "data.", problems);
          line.append(String.join("\t", text(data, "platform", SLUG, problems), text(data, "campaign", SLUG, problems),
              text(data, "market", COUNTRY, problems), Long.toString(integer(data, "views", 0, 1_000_000_000, problems))));
        }
        case "BookingCancelled" -> {
          strict(data, Set.of("bookingId", "reason"), Set.of("bookingId"), "data.", problems);
          String bookingId = string(data, "bookingId", 1, 64, problems);
          if (data.has("reason")) string(data, "reason", 0, 200, problems);
          line.append(bookingId);
        }
        default -> { // BookingCreated
          Set<String> keys = Set.of("bookingId", "market", "destination", "channel", "travelers", "checkIn", "nights", "price");
          strict(data, keys, keys, "data.", problems);
          String bookingId = string(data, "bookingId", 1, 64, problems);
          String market = text(data, "market", COUNTRY, problems), dest = text(data, "destination", SLUG, problems);
          String channel = oneOf(data, "channel", CHANNELS, problems);
          long travelers = integer(data, "travelers", 1, 1000, problems);
          text(data, "checkIn", ISO_DATE, problems);
          integer(data, "nights", 0, 365, problems);
          JsonNode price = data.get("price");
          if (price == null || !price.isObject()) problems.add("data.price: expected an object");
          else {
            strict(price, Set.of("amount", "currency"), Set.of("amount", "currency"), "data.price.", problems);
            amount = text(price, "amount", AMOUNT, problems);
            currency = text(price, "currency", CURRENCY, problems);
          }
          line.append(String.join("\t", market, dest, channel, Long.toString(travelers), "", bookingId));
        }
      }
      if (!problems.isEmpty()) return reject("schema", String.join("; ", problems));
      if (currency != null) {
        Map.Entry<Long, BigDecimal> rate = rates.getOrDefault(currency, new TreeMap<>()).floorEntry(atMs);
        if (rate == null) return reject("unknown_currency", currency + " at " + occurredAt);
        // usdCents of libs/domain/src/money.ts: amount × rate in cents, rounded half up, exactly.
        long cents = new BigDecimal(amount).multiply(rate.getValue()).movePointRight(2)
            .setScale(0, RoundingMode.HALF_UP).longValueExact();
        String[] f = line.toString().split("\t", -1);
        f[9] = Long.toString(cents);
        line = new StringBuilder(String.join("\t", f));
      }
      if (atMs > clock.getAsLong() + FUTURE_TOLERANCE_MS) return reject("future_event", occurredAt);
      return KeyValue.pair(id, line.toString());
    }

    private static KeyValue<String, String> reject(String code, String detail) {
      return KeyValue.pair("!" + code, detail == null ? "" : detail);
    }

    /** sha256 of the envelope without eventId, keys sorted (canonical-json.ts in spirit). */
    private static String contentHash(ObjectNode envelope) {
      try {
        ObjectNode copy = envelope.deepCopy();
        copy.remove("eventId");
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(copy)));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    private static boolean wellFormed(JsonNode node) {
      if (node.isTextual()) return ok(node.textValue());
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!ok(e.getKey()) || !wellFormed(e.getValue())) return false;
      }
      for (JsonNode item : node.isArray() ? node : List.<JsonNode>of()) if (!wellFormed(item)) return false;
      return true;
    }

    private static boolean ok(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == 0) return false;
        if (Character.isHighSurrogate(c)) {
          if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
          i++;
        } else if (Character.isLowSurrogate(c)) return false;
      }
      return true;
    }

    private static void strict(JsonNode o, Set<String> allowed, Set<String> required, String at, List<String> problems) {
      o.fieldNames().forEachRemaining(k -> { if (!allowed.contains(k)) problems.add(at + k + ": unrecognized key"); });
      for (String k : required) if (!o.has(k)) problems.add(at + k + ": required");
    }

    private static String string(JsonNode o, String k, int min, int max, List<String> problems) {
      JsonNode v = o.get(k);
      if (v == null || !v.isTextual()) { problems.add(k + ": expected a string"); return ""; }
      int n = v.textValue().length(); // UTF-16 units, as zod's .min/.max
      if (n < min || n > max) problems.add(k + ": length " + n);
      return v.textValue();
    }

    private static String text(JsonNode o, String k, Pattern p, List<String> problems) {
      JsonNode v = o.get(k);
      if (v == null || !v.isTextual() || !p.matcher(v.textValue()).matches()) { problems.add(k + ": invalid"); return ""; }
      return v.textValue();
    }

    private static String oneOf(JsonNode o, String k, Set<String> values, List<String> problems) {
      JsonNode v = o.get(k);
      if (v == null || !v.isTextual() || !values.contains(v.textValue())) { problems.add(k + ": invalid option"); return ""; }
      return v.textValue();
    }

    /** zod's z.int(): a JSON number with an integral value (1.0 and 1e3 included), in safe-integer range. */
    private static long integer(JsonNode o, String k, long min, long max, List<String> problems) {
      JsonNode v = o.get(k);
      boolean integral = v != null && v.isNumber()
          && (v.isIntegralNumber() ? v.canConvertToLong() : v.canConvertToExactIntegral() && v.canConvertToLong());
      long n = integral ? v.asLong() : 0;
      if (!integral || Math.abs(n) > 9_007_199_254_740_991L || n < min || n > max) { problems.add(k + ": expected an int"); return 0; }
      return n;
    }
  }
}
