package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.ApiClient.Answer;
import io.stemflow.emulator.support.CallbackReceiver;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.testing.WithProviderEmulator;
import io.stemflow.emulator.time.ManualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Early link expiry over real HTTP on a driven clock: a chosen task's callback links answer 410 after
 * {@code earlyExpiryAfter}, record-info then hands out fresh links to the same files, gone tasks answer as
 * unknown, and tasks not chosen keep today's links.
 */
@WithProviderEmulator
class LinkExpiryTest {

    private static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");
    private static final Duration PROCESSING = Duration.ofSeconds(20);
    private static final Duration EARLY = Duration.ofHours(1);
    private static final Duration TTL = Duration.ofDays(14);
    private static final String UNKNOWN_TASK = "0".repeat(32);

    private CallbackReceiver receiver;
    private final ManualTime time = new ManualTime(T0);

    @BeforeEach
    void useReceiver(final CallbackReceiver receiver) {
        this.receiver = receiver;
    }

    private static EmulatorConfig.Builder config() {
        return TestConfigs.quick().processingTime(ProcessingTime.fixed(PROCESSING)).fileTtl(TTL);
    }

    @Test
    void shouldAnswer410OnTheCallbacksLinkWhenEarlyExpiryAfterHasPassed() {
        // given every task expires early, an hour after completion
        try (ProviderEmulator emulator = ProviderEmulator.start(config().earlyExpiryShare(1.0)
                .earlyExpiryAfter(EARLY).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("cb"))).taskId();
            time.advance(PROCESSING);
            final String callbackUrl = callbackVocalUrl("cb");

            // when
            final int fresh = client.fetch(callbackUrl).status();
            time.advance(EARLY.minusMillis(1));
            final int lastMoment = client.fetch(callbackUrl).status();
            time.advance(Duration.ofMillis(1));
            final int expired = client.fetch(callbackUrl).status();

            // then
            assertThat(fresh).isEqualTo(200);
            assertThat(lastMoment).isEqualTo(200);
            assertThat(expired).isEqualTo(410);
            assertThat(emulator.control().linkFate(taskId)).contains(LinkFate.EARLY_EXPIRY);
            assertThat(emulator.control().earlyExpiringTaskIds()).containsExactly(taskId);
            assertThat(emulator.control().goneTaskIds()).isEmpty();
            assertThat(emulator.control().counters().fileRequestsExpired()).isEqualTo(1);
        }
    }

    @Test
    void shouldServeTheSameBytesUnderFreshLinksWhenRecordInfoIsAskedAfterTheLinksExpired() {
        // given a task whose callback link has expired early
        try (ProviderEmulator emulator = ProviderEmulator.start(config().earlyExpiryShare(1.0)
                .earlyExpiryAfter(EARLY).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("cb"))).taskId();
            time.advance(PROCESSING);
            final String callbackUrl = callbackVocalUrl("cb");
            final byte[] bytes = client.fetch(callbackUrl).raw();
            final Answer infoBeforeExpiry = client.recordInfo(API_KEY, taskId);
            final String beforeExpiry = vocalUrl(infoBeforeExpiry);
            time.advance(EARLY);

            // when
            final Answer first = client.recordInfo(API_KEY, taskId);
            final Answer second = client.recordInfo(API_KEY, taskId);
            final String firstUrl = vocalUrl(first);
            final String secondUrl = vocalUrl(second);
            final Answer fromFirst = client.fetch(firstUrl);
            final Answer fromSecond = client.fetch(secondUrl);
            final int oldLink = client.fetch(callbackUrl).status();

            // then: record-info before the expiry repeated the callback's link; after it, a new link per call
            assertThat(beforeExpiry).isEqualTo(callbackUrl);
            assertThat(first.code()).isEqualTo(200);
            assertThat(first.body().at("/data/successFlag").asText()).isEqualTo("SUCCESS");
            assertThat(List.of(firstUrl, secondUrl)).doesNotHaveDuplicates().doesNotContain(callbackUrl)
                    .allMatch(u -> u.startsWith(emulator.baseUrl() + "/files/") && u.endsWith("/vocal.wav"));
            assertThat(first.body().at("/data/response/originData/0/audio_url").asText()).isEqualTo(firstUrl);
            assertThat(first.body().at("/data/response/originData/0/id"))
                    .as("same file, new link").isEqualTo(infoBeforeExpiry.body().at("/data/response/originData/0/id"));
            assertThat(fromFirst.status()).isEqualTo(200);
            assertThat(fromFirst.raw()).isEqualTo(bytes);
            assertThat(fromSecond.status()).isEqualTo(200);
            assertThat(fromSecond.raw()).isEqualTo(bytes);
            assertThat(oldLink).isEqualTo(410);
            assertThat(emulator.control().counters().linksRefreshed()).isEqualTo(2);
        }
    }

    @Test
    void shouldExpireAFreshLinkWhenFileTtlHasPassedSinceItWasIssued() {
        // given a fresh link issued two hours after completion
        try (ProviderEmulator emulator = ProviderEmulator.start(config().earlyExpiryShare(1.0)
                .earlyExpiryAfter(EARLY).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("cb"))).taskId();
            time.advance(PROCESSING.plus(Duration.ofHours(2)));
            final String freshUrl = vocalUrl(client.recordInfo(API_KEY, taskId));

            // when
            time.advance(TTL.minusMillis(1));
            final int lastMoment = client.fetch(freshUrl).status();
            time.advance(Duration.ofMillis(1));
            final int expired = client.fetch(freshUrl).status();
            final String nextUrl = vocalUrl(client.recordInfo(API_KEY, taskId));

            // then
            assertThat(lastMoment).isEqualTo(200);
            assertThat(expired).isEqualTo(410);
            assertThat(nextUrl).isNotEqualTo(freshUrl);
            assertThat(client.fetch(nextUrl).status()).isEqualTo(200);
        }
    }

    @Test
    void shouldKeepTodaysLinksWhenATaskIsNotChosen() {
        // given the same seed and requests, once without link expiry and once with half of the tasks chosen
        final Map<String, String> today = vocalUrlsAfterEarlyExpiry(config().build());
        final ManualTime otherTime = new ManualTime(T0);
        try (ProviderEmulator emulator = ProviderEmulator.start(config().earlyExpiryShare(0.5)
                .earlyExpiryAfter(EARLY).build(), otherTime)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when
            final Map<String, String> withExpiry = vocalUrlsAfterEarlyExpiry(emulator, otherTime);

            // then: the same tasks; the unchosen ones show today's links, which still serve; the chosen ones new ones
            assertThat(withExpiry.keySet()).isEqualTo(today.keySet());
            final Set<String> chosen = emulator.control().earlyExpiringTaskIds();
            assertThat(chosen).isNotEmpty().hasSizeLessThan(today.size());
            withExpiry.forEach((taskId, url) -> {
                final String todays = today.get(taskId).replace(baseOf(today.get(taskId)), "");
                final String now = url.replace(emulator.baseUrl().toString(), "");
                if (chosen.contains(taskId)) {
                    assertThat(now).as(taskId).isNotEqualTo(todays);
                } else {
                    assertThat(now).as(taskId).isEqualTo(todays);
                    assertThat(emulator.control().linkFate(taskId)).contains(LinkFate.STANDARD);
                }
                assertThat(client.fetch(url).status()).as(taskId).isEqualTo(200);
            });
            assertThat(emulator.control().counters().linksRefreshed()).isEqualTo(chosen.size());
        }
    }

    @Test
    void shouldAnswerAsForAnUnknownTaskWhenAGoneTasksLinksExpired() {
        // given every task expires early and is gone
        try (ProviderEmulator emulator = ProviderEmulator.start(config().earlyExpiryShare(1.0)
                .earlyExpiryAfter(EARLY).goneShare(1.0).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("cb"))).taskId();
            time.advance(PROCESSING);
            final String callbackUrl = callbackVocalUrl("cb");
            final Answer beforeExpiry = client.recordInfo(API_KEY, taskId);
            time.advance(EARLY);

            // when
            final Answer gone = client.recordInfo(API_KEY, taskId);
            final Answer unknown = client.recordInfo(API_KEY, UNKNOWN_TASK);
            final int oldLink = client.fetch(callbackUrl).status();

            // then
            assertThat(vocalUrl(beforeExpiry)).isEqualTo(callbackUrl);
            assertThat(gone.code()).isEqualTo(400);
            assertThat(gone.raw()).isEqualTo(unknown.raw());
            assertThat(oldLink).isEqualTo(410);
            assertThat(emulator.control().goneTaskIds()).containsExactly(taskId);
            assertThat(emulator.control().earlyExpiringTaskIds()).containsExactly(taskId);
            assertThat(emulator.control().linkFate(taskId)).contains(LinkFate.GONE);
            final EmulatorCounters counters = emulator.control().counters();
            assertThat(counters.recordInfoGone()).isEqualTo(1);
            assertThat(counters.linksRefreshed()).isZero();
            assertThat(counters.requests(400)).isEqualTo(2);
        }
    }

    @Test
    void shouldChangeNothingWhenTheSharesAreZero() {
        // given an expiry delay but no task chosen
        try (ProviderEmulator emulator = ProviderEmulator.start(config().earlyExpiryAfter(EARLY).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("cb"))).taskId();
            time.advance(PROCESSING);
            final String callbackUrl = callbackVocalUrl("cb");

            // when
            time.advance(EARLY.multipliedBy(2));
            final String recordInfoUrl = vocalUrl(client.recordInfo(API_KEY, taskId));
            final int status = client.fetch(callbackUrl).status();

            // then
            assertThat(recordInfoUrl).isEqualTo(callbackUrl);
            assertThat(status).isEqualTo(200);
            assertThat(emulator.control().linkFate(taskId)).contains(LinkFate.STANDARD);
            assertThat(emulator.control().earlyExpiringTaskIds()).isEmpty();
            assertThat(emulator.control().counters().linksRefreshed()).isZero();
            assertThat(emulator.control().counters().recordInfoGone()).isZero();
        }
    }

    @Test
    void shouldNeverExpireAFailedTasksLinksEarlyWhenEveryTaskIsChosen() {
        // given every task fails
        try (ProviderEmulator emulator = ProviderEmulator.start(config().faults(FaultShares.NONE.withTaskFailures(1))
                .earlyExpiryShare(1.0).goneShare(1.0).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("f"))).taskId();

            // when
            time.advance(PROCESSING.plus(EARLY));
            final Answer info = client.recordInfo(API_KEY, taskId);

            // then
            assertThat(info.code()).isEqualTo(200);
            assertThat(info.body().at("/data/successFlag").asText()).isEqualTo("GENERATE_AUDIO_FAILED");
            assertThat(emulator.control().linkFate(taskId)).contains(LinkFate.STANDARD);
        }
    }

    @Test
    void shouldSwitchEarlyExpiryOnWhenItIsSetThroughTheAdminApi() {
        try (ProviderEmulator emulator = ProviderEmulator.start(config().build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String before = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("a"))).taskId();

            // when
            final Answer set = client.admin("PUT", "/admin/link-expiry", null,
                    "{\"earlyExpiryShare\":1.0,\"earlyExpiryAfterMs\":60000}");
            final Answer partial = client.admin("PUT", "/admin/link-expiry", null, "{\"goneShare\":1}");
            final Answer badShare = client.admin("PUT", "/admin/link-expiry", null, "{\"goneShare\":1.5}");
            final Answer badDelay = client.admin("PUT", "/admin/link-expiry", null, "{\"earlyExpiryAfterMs\":-1}");
            final String after = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("b"))).taskId();
            time.advance(PROCESSING.plus(Duration.ofMinutes(1)));
            final Answer tasks = client.admin("GET", "/admin/link-expiry/tasks", null, null);
            final Answer one = client.admin("GET", "/admin/link-expiry/tasks?taskId=" + after, null, null);

            // then: tasks accepted before the switch keep their fate
            assertThat(set.status()).isEqualTo(200);
            assertThat(set.body().path("earlyExpiryAfterMs").asLong()).isEqualTo(60_000);
            assertThat(partial.body().path("earlyExpiryShare").asDouble()).isEqualTo(1.0);
            assertThat(partial.body().path("goneShare").asDouble()).isEqualTo(1.0);
            assertThat(badShare.status()).isEqualTo(400);
            assertThat(badShare.body().path("error").asText()).contains("goneShare");
            assertThat(badDelay.status()).isEqualTo(400);
            assertThat(emulator.control().linkExpiry()).isEqualTo(new LinkExpiry(1.0, Duration.ofMinutes(1), 1.0));
            assertThat(texts(tasks.body().path("earlyExpiring"))).containsExactly(after);
            assertThat(texts(tasks.body().path("gone"))).containsExactly(after);
            assertThat(one.body().path("linkFate").asText()).isEqualTo("GONE");
            assertThat(client.recordInfo(API_KEY, before).code()).isEqualTo(200);
            assertThat(client.recordInfo(API_KEY, after).code()).isEqualTo(400);
            final JsonNode counters = client.admin("GET", "/admin/counters", null, null).body();
            assertThat(counters.path("recordInfoGone").asLong()).isEqualTo(1);
            assertThat(counters.path("linksRefreshed").asLong()).isZero();
        }
    }

    private String callbackVocalUrl(final String path) {
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.receivedOn(path).size() == 1);
        return receiver.receivedOn(path).get(0).body().at("/data/vocal_removal_info/vocal_url").asText();
    }

    private static String vocalUrl(final Answer recordInfo) {
        return recordInfo.body().at("/data/response/vocalUrl").asText();
    }

    /** Ten tasks, and each one's vocal URL from record-info two hours after completion. */
    private Map<String, String> vocalUrlsAfterEarlyExpiry(final EmulatorConfig config) {
        final ManualTime ownTime = new ManualTime(T0);
        try (ProviderEmulator emulator = ProviderEmulator.start(config, ownTime)) {
            return vocalUrlsAfterEarlyExpiry(emulator, ownTime);
        }
    }

    private Map<String, String> vocalUrlsAfterEarlyExpiry(final ProviderEmulator emulator, final ManualTime clock) {
        final ApiClient client = new ApiClient(emulator.baseUrl());
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("many"))).taskId());
        }
        clock.advance(PROCESSING.plus(EARLY.multipliedBy(2)));
        final Map<String, String> urls = new TreeMap<>();
        ids.forEach(id -> urls.put(id, vocalUrl(client.recordInfo(API_KEY, id))));
        return urls;
    }

    private static String baseOf(final String url) {
        return url.substring(0, url.indexOf("/files/"));
    }

    private static List<String> texts(final JsonNode array) {
        final List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }
}
