package dev.caravan.bench.ks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class KafkaStreamsPeerTest {
  static final String RATES = "[{\"currency\":\"USD\",\"validFromMs\":946684800000,\"usdPerUnit\":\"1\"},"
      + "{\"currency\":\"CNY\",\"validFromMs\":946684800000,\"usdPerUnit\":\"0.1390\"}]";

  static String env(String id, String type, String at, String data) {
    return "{\"eventId\":\"" + id + "\",\"type\":\"" + type + "\",\"version\":1,\"occurredAt\":\"" + at
        + "\",\"producer\":\"test\",\"data\":" + data + "}";
  }

  @Test
  void foldsTheThreeDailyAggregatesInRocksDb() throws Exception {
    Path state = Files.createTempDirectory("ks-peer-test");
    var s = new KafkaStreamsPeer.Settings("dummy:9092", "ks-test", List.of("b", "a", "m"), "out", state.toString(),
        ZoneId.of("Asia/Almaty"), KafkaStreamsPeer.parseRates(RATES), 1, 100);
    try (var driver = new TopologyTestDriver(KafkaStreamsPeer.topology(s, () -> 1_800_000_000_000L),
        KafkaStreamsPeer.props(s))) {
      var ser = Serdes.ByteArray().serializer();
      TestInputTopic<byte[], byte[]> bookings = driver.createInputTopic("b", ser, ser);
      TestInputTopic<byte[], byte[]> arrivals = driver.createInputTopic("a", ser, ser);
      TestInputTopic<byte[], byte[]> media = driver.createInputTopic("m", ser, ser);
      String arrival = env("0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10", "ArrivalRecorded", "2024-03-01T18:30:00Z",
          "{\"nationality\":\"CN\",\"port\":\"ala-airport\",\"purpose\":\"tourism\",\"travelers\":3,\"destination\":\"almaty\"}");
      arrivals.pipeInput(bytes(arrival));
      arrivals.pipeInput(bytes(arrival)); // redelivery
      arrivals.pipeInput(bytes(arrival.replace("\"test\"", "\"other\""))); // conflict
      arrivals.pipeInput(bytes("{not json"));
      arrivals.pipeInput(bytes(arrival.replace("2024-03-01", "2099-03-01").replace("7c10", "7c11"))); // future
      media.pipeInput(bytes(env("1b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10", "MediaViewsReported", "2024-05-05T10:00:00+05:00",
          "{\"platform\":\"douyin\",\"campaign\":\"spring\",\"market\":\"CN\",\"views\":1000}")));
      // Cancellation first, then the booking: counted on the cancellation's day with the booking's price.
      bookings.pipeInput(bytes(env("2b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10", "BookingCancelled", "2024-06-02T09:00:00+05:00",
          "{\"bookingId\":\"bk\\n1\"}")));
      bookings.pipeInput(bytes(env("3b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10", "BookingCreated", "2024-06-01T09:00:00+05:00",
          "{\"bookingId\":\"bk\\n1\",\"market\":\"CN\",\"destination\":\"almaty\",\"channel\":\"ota\",\"travelers\":2,"
              + "\"checkIn\":\"2024-07-01\",\"nights\":3,\"price\":{\"amount\":\"1000.05\",\"currency\":\"CNY\"}}")));
      bookings.pipeInput(bytes(env("4b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10", "BookingCreated", "2024-06-01T09:00:00+05:00",
          "{\"bookingId\":\"b2\",\"market\":\"CN\",\"destination\":\"almaty\",\"channel\":\"ota\",\"travelers\":1,"
              + "\"checkIn\":\"2024-07-01\",\"nights\":3,\"price\":{\"amount\":\"5\",\"currency\":\"XXX\"}}")));

      KeyValueStore<String, String> daily = driver.getKeyValueStore(KafkaStreamsPeer.DAILY_STORE);
      TestOutputTopic<String, String> out = driver.createOutputTopic("out", Serdes.String().deserializer(),
          Serdes.String().deserializer());
      Map<String, String> compacted = out.readKeyValuesToMap();
      // 2024-03-01T18:30Z is 2024-03-01 23:30 in Almaty (UTC+5 since 2024-03-01), not 03-02 (UTC+6).
      assertEquals("3,1", compacted.get("arrivals_daily|2024-03-01|CN|ala-airport|tourism|almaty"));
      assertEquals("1000,1", compacted.get("media_daily|2024-05-05|douyin|spring|CN"));
      // 1000.05 CNY × 0.1390 = 139.00695 USD → 13901 cents (half up)
      assertEquals("1,2,13901,0,0", compacted.get("bookings_daily|2024-06-01|CN|almaty|ota"));
      assertEquals("0,0,0,1,13901", compacted.get("bookings_daily|2024-06-02|CN|almaty|ota"));
      assertEquals("4", compacted.get("outcomes|accepted")); // arrival, media, cancel, booking
      assertEquals("1", compacted.get("outcomes|duplicate"));
      assertEquals("1", compacted.get("outcomes|conflict"));
      assertEquals("1", compacted.get("outcomes|malformed_json"));
      assertEquals("1", compacted.get("outcomes|future_event"));
      assertEquals("1", compacted.get("outcomes|unknown_currency"));
      assertEquals(compacted.get("outcomes|accepted"), daily.get("outcomes|accepted"));
      assertTrue(daily.persistent(), "the daily store is RocksDB");
      System.out.println("RocksDB store " + daily.getClass().getSimpleName() + " under " + state + "; output " + compacted);
    }
  }

  static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
