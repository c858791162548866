package io.stemflow.cli;

import io.stemflow.avro.AccountShare;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.schemas.CallerText;
import io.stemflow.schemas.Topic;
import io.stemflow.service.DurationText;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;

/**
 * The accounts' shares of the provider as account-shares holds them now: the compacted topic read from
 * its beginning to its end, the latest record of each account winning and a tombstone removing it. An
 * account without a record has weight {@value #DEFAULT_WEIGHT} and no cap.
 */
final class AccountShares {

    static final int DEFAULT_WEIGHT = 1;
    static final int MAX_WEIGHT = 1000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private AccountShares() {
    }

    /** Every account's current share, by account id. */
    static SortedMap<String, AccountShare> read(final Connection connection, final Topic<String, AccountShare> topic) {
        final Map<String, Object> c = new HashMap<>();
        c.putAll(connection.kafkaClient());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final SortedMap<String, AccountShare> shares = new TreeMap<>();
        try (KafkaConsumer<String, AccountShare> consumer = new KafkaConsumer<>(c, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            TopicSnapshot.read(consumer, topic.name(), READ_TIMEOUT, r -> {
                if (r.key() == null) {
                    return; // not an account's record: the topic is keyed by accountId
                }
                if (r.value() == null) {
                    shares.remove(r.key());
                } else {
                    shares.put(r.key(), r.value());
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            throw new CliException(1, "could not read " + topic.name() + ": " + e.getMessage());
        }
        return shares;
    }

    /** "weight 5, at most 30 calls per 10s" or "weight 1, no cap". */
    static String describe(final AccountShare share) {
        return share == null ? "weight " + DEFAULT_WEIGHT + ", no cap (the default)"
                : "weight " + share.getWeight() + ", " + cap(share);
    }

    static String cap(final AccountShare share) {
        return share.getCapCalls() == null || share.getCapWindowMillis() == null ? "no cap"
                : "at most " + share.getCapCalls() + " calls per "
                        + DurationText.format(Duration.ofMillis(share.getCapWindowMillis()));
    }

    /** The table {@code account shares} prints. */
    static void print(final SortedMap<String, AccountShare> shares, final PrintWriter out) {
        if (shares.isEmpty()) {
            out.println("No account has a share set: every account has weight " + DEFAULT_WEIGHT + " and no cap.");
            return;
        }
        out.printf("%-24s %6s  %-26s %-16s %-24s %s%n", "account", "weight", "cap", "set by", "set at", "reason");
        shares.forEach((account, s) -> out.printf("%-24s %6d  %-26s %-16s %-24s %s%n", CallerText.clip(account),
                s.getWeight(), cap(s), CallerText.clip(s.getSetBy(), 40), s.getSetAt(),
                s.getReason() == null ? "" : CallerText.clip(s.getReason())));
        out.println("Accounts not listed have weight " + DEFAULT_WEIGHT + " and no cap.");
    }
}
