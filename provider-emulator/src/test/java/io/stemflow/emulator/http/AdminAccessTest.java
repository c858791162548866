package io.stemflow.emulator.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdminAccessTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "127.0.0.1, true",
        "127.3.4.5, true",
        "0:0:0:0:0:0:0:1, true",
        "[::1], true",
        "10.0.0.8, false",
        "192.168.1.20, false",
        "2001:db8::1, false"
    })
    void shouldServeOnlyLoopbackCallersWhenNoAdminTokenIsConfigured(final String address, final boolean loopback) {
        assertThat(AdminApi.isLoopback(address)).isEqualTo(loopback);
    }
}
