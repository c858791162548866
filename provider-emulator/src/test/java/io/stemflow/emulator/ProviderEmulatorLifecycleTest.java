package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.time.ManualTime;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProviderEmulatorLifecycleTest {

    @Test
    void shouldStopServingAndSchedulingWhenClosed() {
        // given
        final ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
        final ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().build(), time);
        final ApiClient client = new ApiClient(emulator.baseUrl());
        assertThat(client.generate(API_KEY, ApiClient.generateBody(null, "http://127.0.0.1:9/cb")).code())
                .isEqualTo(200);
        assertThat(time.pending()).isEqualTo(1);

        // when
        emulator.close();
        emulator.close();

        // then
        assertThat(time.pending()).isZero();
        assertThatThrownBy(() -> client.credit(API_KEY)).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void shouldNameTheAddressWhenThePortIsTaken() {
        try (ProviderEmulator first = ProviderEmulator.start(TestConfigs.quick().build())) {
            final int port = first.baseUrl().getPort();

            assertThatThrownBy(() -> ProviderEmulator.start(TestConfigs.quick().port(port).build()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + port);
        }
    }

    @Test
    void shouldUseThePublicBaseUrlInStemLinksWhenConfigured() {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick()
                .publicBaseUrl(URI.create("http://emulator.internal:8089")).build())) {
            assertThat(emulator.baseUrl().toString()).isEqualTo("http://emulator.internal:8089");
        }
    }
}
