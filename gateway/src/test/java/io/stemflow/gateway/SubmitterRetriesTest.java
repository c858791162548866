package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.emulator.FaultShares;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 500s, timeouts and connection errors: bounded retries with backoff, then a REJECTED outcome (never a lost job). */
@WithKafkaStack
class SubmitterRetriesTest {

    @Test
    void shouldRejectAfterBoundedRetriesWhenProviderAlwaysAnswers500(final TestStack stack) throws Exception {
        // given
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator()
                .faults(FaultShares.NONE.withServerErrors(1.0)), 1)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            fixture.gateway(Map.of(GatewayConfig.RETRY_MAX_ATTEMPTS, "3"));

            // when
            fixture.admit(GatewayFixture.requests("failing", 4));

            // then
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 4);
            assertThat(outcomes.byKey()).hasSize(4).allSatisfy((id, list) -> assertThat(list).singleElement()
                    .satisfies(o -> {
                        assertThat(o.getStatus()).isEqualTo(SubmissionStatus.REJECTED);
                        assertThat(o.getCode()).isEqualTo(500);
                        assertThat(o.getProviderCalls()).isEqualTo(3);
                        assertThat(o.getMessage()).isEqualTo("gave up after 3 calls: Server error");
                    }));
            assertThat(fixture.emulator.control().counters().requests(500)).isEqualTo(12);
        }
    }

    @Test
    void shouldRejectWith503AfterBoundedRetriesWhenProviderIsUnreachable(final TestStack stack) throws Exception {
        // given: nothing listens at the provider's address
        final int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 1)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final Gateway gateway = fixture.gateway(Map.of(GatewayConfig.RETRY_MAX_ATTEMPTS, "3",
                    GatewayConfig.PROVIDER_BASE_URL, "http://127.0.0.1:" + port));

            // when
            fixture.admit(GatewayFixture.requests("unreachable", 2));

            // then
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 2);
            assertThat(outcomes.byKey()).hasSize(2).allSatisfy((id, list) -> assertThat(list).singleElement()
                    .satisfies(o -> {
                        assertThat(o.getStatus()).isEqualTo(SubmissionStatus.REJECTED);
                        assertThat(o.getCode()).isEqualTo(503);
                        assertThat(o.getProviderCalls()).isEqualTo(3);
                    }));
            assertThat(gateway.meterRegistry().get("stemflow.provider.calls").tag("code", "connection").counter()
                    .count()).isEqualTo(6);
        }
    }

    @Test
    void shouldRejectWith504AfterBoundedRetriesWhenProviderNeverAnswers(final TestStack stack) throws Exception {
        // given: a provider that accepts connections and never answers
        final CountDownLatch hold = new CountDownLatch(1);
        final HttpServer silent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        silent.createContext("/", exchange -> {
            try {
                hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        silent.setExecutor(Executors.newCachedThreadPool());
        silent.start();
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 1)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            fixture.gateway(Map.of(GatewayConfig.RETRY_MAX_ATTEMPTS, "2",
                    GatewayConfig.PROVIDER_REQUEST_TIMEOUT, "300ms",
                    GatewayConfig.PROVIDER_BASE_URL, "http://127.0.0.1:" + silent.getAddress().getPort()));

            // when
            fixture.admit(GatewayFixture.requests("silent", 2));

            // then
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 2);
            assertThat(outcomes.byKey()).hasSize(2).allSatisfy((id, list) -> assertThat(list).singleElement()
                    .satisfies(o -> {
                        assertThat(o.getStatus()).isEqualTo(SubmissionStatus.REJECTED);
                        assertThat(o.getCode()).isEqualTo(504);
                        assertThat(o.getProviderCalls()).isEqualTo(2);
                    }));
        } finally {
            hold.countDown();
            silent.stop(0);
        }
    }
}
