import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A producer no one on the team wrote: Apache Kafka's own Java client, from the broker's jars.
 * Run as a single-file program: java -cp '<jars>/*' JavaProducer.java --bootstrap host:port
 * --topic t [--compression gzip|snappy|lz4|zstd] [--transactional-id id] [--partition n].
 * Reads commands from stdin, one per line: "R <key base64 or -> <value base64>", "BEGIN",
 * "COMMIT", "ABORT" (flushes first, so the aborted records are in the log), "FLUSH".
 * Prints "OK <records sent>" when every send was acknowledged.
 */
public class JavaProducer {
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    String topic = options.get("topic");
    Properties props = new Properties();
    props.put("bootstrap.servers", options.get("bootstrap"));
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    props.put("compression.type", options.getOrDefault("compression", "none"));
    props.put("linger.ms", options.getOrDefault("linger-ms", "20"));
    props.put("acks", "all");
    boolean transactional = options.containsKey("transactional-id");
    if (transactional) props.put("transactional.id", options.get("transactional-id"));
    Integer partition = options.containsKey("partition") ? Integer.valueOf(options.get("partition")) : null;

    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      if (transactional) producer.initTransactions();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        String[] parts = line.trim().split(" ");
        switch (parts[0]) {
          case "" -> { }
          case "BEGIN" -> producer.beginTransaction();
          case "COMMIT" -> producer.commitTransaction();
          case "ABORT" -> {
            producer.flush();
            producer.abortTransaction();
          }
          case "FLUSH" -> producer.flush();
          case "R" -> {
            byte[] key = parts[1].equals("-") ? null : Base64.getDecoder().decode(parts[1]);
            byte[] value = parts.length > 2 ? Base64.getDecoder().decode(parts[2]) : new byte[0];
            sent.add(producer.send(new ProducerRecord<>(topic, partition, key, value)));
          }
          default -> throw new IllegalArgumentException("unknown command: " + parts[0]);
        }
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) f.get();
    }
    System.out.println("OK " + sent.size());
  }
}
