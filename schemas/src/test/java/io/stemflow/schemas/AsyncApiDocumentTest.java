package io.stemflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds docs/asyncapi.yaml to the code's topic catalogue: one channel per topic of {@link TopicSpec#all} and none
 * other, the internal topics marked, each Avro payload the {@code .avsc} of {@link Contract}'s record with its
 * subject, string keys, retention as {@link TopicSpec} creates it, the dead-letter headers of
 * {@link DeadLetterHeaders}, an operation for every channel. (The AsyncAPI parser itself runs in CI:
 * tools/asyncapi/validate.mjs.)
 */
final class AsyncApiDocumentTest {

    private static final Path DOCUMENT = Path.of("docs", "asyncapi.yaml");
    private static final String AVRO = "application/vnd.apache.avro;version=1.9.0";
    /** Any count: which topics there are and how they are configured does not depend on it. */
    private static final int PARTITIONS = 6;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path root = repositoryRoot();
    private final JsonNode document = read(root.resolve(DOCUMENT));

    static List<String> publicTopics() {
        return TopicNames.ALL;
    }

    @Test
    void shouldDeclareAsyncApi3WhenTheDocumentIsRead() {
        assertThat(document.path("asyncapi").asText()).as("asyncapi version of %s", DOCUMENT).startsWith("3.");
    }

    @Test
    void shouldHaveAChannelForEveryTopicWhenTheCatalogueHasIt() {
        // given
        final Set<String> catalogue = catalogue().keySet();

        // when
        final Set<String> addresses = channelsByAddress().keySet();

        // then
        assertThat(catalogue).as("topics of TopicSpec.all with no channel in %s", DOCUMENT)
                .allSatisfy(topic -> assertThat(addresses).contains(topic));
    }

    @Test
    void shouldHaveNoChannelOutsideTheCatalogueWhenTheDocumentIsRead() {
        // given
        final Set<String> catalogue = catalogue().keySet();
        final List<String> addresses = new ArrayList<>();
        document.path("channels").forEach(c -> addresses.add(c.path("address").asText()));

        // then
        assertThat(addresses).as("channel addresses of %s, each a topic of TopicSpec.all, once", DOCUMENT)
                .doesNotHaveDuplicates()
                .allSatisfy(address -> assertThat(catalogue).contains(address));
    }

    @Test
    void shouldMarkExactlyTheInternalTopicsWhenTheyAreInTheDocument() {
        // when
        final Set<String> marked = new TreeSet<>();
        channelsByAddress().forEach((address, channel) -> {
            if (channel.path("x-stemflow-internal").asBoolean(false)) {
                marked.add(address);
            }
        });

        // then
        assertThat(marked).as("channels marked x-stemflow-internal").containsExactlyInAnyOrderElementsOf(TopicNames.INTERNAL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publicTopics")
    void shouldReferToTheAvscOfTheContractsRecordWhenTheTopicCarriesAvro(final String topic) throws IOException {
        // given
        final Schema contract = Contract.valueSchemasByTopic().get(topic);
        final JsonNode payload = onlyMessage(topic).path("payload");

        // when
        final String ref = payload.path("schema").path("$ref").asText();
        final Path avsc = root.resolve(DOCUMENT).getParent().resolve(ref).normalize();

        // then
        assertThat(payload.path("schemaFormat").asText()).as("schemaFormat of %s", topic).isEqualTo(AVRO);
        assertThat(ref).as("payload $ref of %s", topic).endsWith(".avsc");
        assertThat(avsc).as("the .avsc %s refers to", topic).isRegularFile();
        final Schema parsed = parseAvsc(avsc);
        assertThat(parsed.getFullName()).as("record of %s (%s)", topic, ref).isEqualTo(contract.getFullName());
        assertThat(parsed).as("schema of %s (%s) against the registered one", topic, ref).isEqualTo(contract);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publicTopics")
    void shouldNameTheValueSubjectWhenTheTopicCarriesAvro(final String topic) {
        assertThat(channelsByAddress().get(topic).path("x-stemflow-value-subject").asText())
                .as("x-stemflow-value-subject of %s", topic).isEqualTo(Contract.valueSubject(topic));
    }

    @Test
    void shouldKeyEveryMessageWithAStringWhenAChannelCarriesIt() {
        // when
        final Map<String, String> keyTypes = new LinkedHashMap<>();
        channelsByAddress().forEach((address, channel) -> channel.path("messages").fields().forEachRemaining(m ->
                keyTypes.put(address + " " + m.getKey(),
                        resolve(resolve(m.getValue()).path("bindings").path("kafka").path("key")).path("type").asText())));

        // then
        assertThat(keyTypes).as("messages").isNotEmpty();
        assertThat(keyTypes).as("bindings.kafka.key type of each message (keys are UTF-8 strings, not Avro)")
                .allSatisfy((message, type) -> assertThat(type).as(message).isEqualTo("string"));
    }

    @Test
    void shouldCarryExactlyTheDeadLetterHeadersWhenTheTopicIsTheDeadLetterTopic() throws IllegalAccessException {
        // given
        final Set<String> expected = new TreeSet<>();
        for (final Field f : DeadLetterHeaders.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                expected.add((String) f.get(null));
            }
        }
        final JsonNode headers = onlyMessage(TopicNames.DLQ).path("headers");

        // when
        final Map<String, String> documented = new LinkedHashMap<>();
        headers.path("properties").fields()
                .forEachRemaining(h -> documented.put(h.getKey(), h.getValue().path("description").asText()));

        // then
        assertThat(expected).as("DeadLetterHeaders' names").isNotEmpty().allMatch(h -> h.startsWith("stemflow.dlq."));
        assertThat(documented.keySet()).as("headers of the %s message", TopicNames.DLQ)
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(documented).as("header descriptions").allSatisfy((h, d) -> assertThat(d).as(h).isNotBlank());
    }

    @Test
    void shouldHaveAnOperationForEveryChannelWhenTheDocumentIsRead() {
        // given
        final Map<String, String> channelIds = new LinkedHashMap<>();
        document.path("channels").fields()
                .forEachRemaining(c -> channelIds.put(c.getKey(), c.getValue().path("address").asText()));

        // when
        final Map<String, List<String>> operations = new HashMap<>();
        document.path("operations").fields().forEachRemaining(o -> {
            final String ref = o.getValue().path("channel").path("$ref").asText();
            operations.computeIfAbsent(ref.substring(ref.lastIndexOf('/') + 1), k -> new ArrayList<>())
                    .add(o.getValue().path("action").asText());
        });

        // then
        assertThat(channelIds).as("channels").isNotEmpty();
        assertThat(channelIds).as("channels without a send or receive operation")
                .allSatisfy((id, address) -> assertThat(operations.getOrDefault(id, List.of())).as(address).isNotEmpty());
        assertThat(operations.values().stream().flatMap(List::stream).collect(Collectors.toSet()))
                .as("operation actions").isSubsetOf("send", "receive");
    }

    @Test
    void shouldStateTheConfigurationTopicSpecCreatesWhenAChannelIsRead() {
        // given
        final Map<String, TopicSpec> catalogue = catalogue();

        // when
        final Map<String, Map<String, String>> documented = new LinkedHashMap<>();
        final Map<String, Integer> fixedPartitions = new LinkedHashMap<>();
        channelsByAddress().forEach((address, channel) -> {
            final JsonNode kafka = channel.path("bindings").path("kafka");
            final Map<String, String> configs = new LinkedHashMap<>();
            kafka.path("topicConfiguration").fields().forEachRemaining(c -> configs.put(c.getKey(), c.getValue().isArray()
                    ? String.join(",", YAML.convertValue(c.getValue(), String[].class)) : c.getValue().asText()));
            documented.put(address, configs);
            if (kafka.has("partitions")) {
                fixedPartitions.put(address, kafka.path("partitions").asInt());
            }
        });

        // then: the configs TopicSpec sets, and a partition count only where it does not follow the deployment's
        catalogue.forEach((topic, spec) -> {
            assertThat(documented.get(topic)).as("topicConfiguration of %s", topic).isEqualTo(spec.configs());
            if (spec.partitions() == PARTITIONS) {
                assertThat(fixedPartitions).as("partitions of %s follow the deployment", topic).doesNotContainKey(topic);
            } else {
                assertThat(fixedPartitions.get(topic)).as("partitions of %s", topic).isEqualTo(spec.partitions());
            }
        });
    }

    /** Every topic stemflow creates, by name. */
    private static Map<String, TopicSpec> catalogue() {
        final Map<String, TopicSpec> specs = new LinkedHashMap<>();
        TopicSpec.all(PARTITIONS).forEach(s -> specs.put(s.name(), s));
        return specs;
    }

    private Map<String, JsonNode> channelsByAddress() {
        final Map<String, JsonNode> channels = new LinkedHashMap<>();
        document.path("channels").forEach(c -> channels.put(c.path("address").asText(), c));
        return channels;
    }

    /** The one message of the topic's channel, references followed. */
    private JsonNode onlyMessage(final String topic) {
        final JsonNode channel = channelsByAddress().get(topic);
        assertThat(channel).as("channel of %s", topic).isNotNull();
        final List<JsonNode> messages = new ArrayList<>();
        channel.path("messages").forEach(m -> messages.add(resolve(m)));
        assertThat(messages).as("messages of %s", topic).hasSize(1);
        return messages.get(0);
    }

    /** {@code node}, or what its local {@code $ref} ({@code #/...}) points to. */
    private JsonNode resolve(final JsonNode node) {
        JsonNode n = node;
        for (int hops = 0; n.has("$ref") && hops < 10; hops++) {
            final String ref = n.path("$ref").asText();
            assertThat(ref).as("a local reference").startsWith("#/");
            n = document.at(ref.substring(1));
            assertThat(n.isMissingNode()).as("%s exists in %s", ref, DOCUMENT).isFalse();
        }
        return n;
    }

    /**
     * The schema the {@code .avsc} defines, parsed by Avro with the named types of the other files of its
     * directory known (a record refers to enums and records of other files by full name).
     */
    private static Schema parseAvsc(final Path avsc) throws IOException {
        final JsonNode json = YAML.readTree(avsc.toFile());
        final String name = json.path("name").asText();
        final String own = name.contains(".") || json.path("namespace").asText().isEmpty()
                ? name : json.path("namespace").asText() + "." + name;
        final Map<String, Schema> others = new HashMap<>(AvscFiles.parse(avsc.getParent()));
        others.remove(own);
        return new Schema.Parser().addTypes(others.values()).parse(avsc.toFile());
    }

    private static JsonNode read(final Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The first directory at or above the working directory that holds docs/asyncapi.yaml. */
    private static Path repositoryRoot() {
        final Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(DOCUMENT))) {
                return dir;
            }
        }
        throw new IllegalStateException("no " + DOCUMENT + " in " + start + " or any directory above it");
    }
}
