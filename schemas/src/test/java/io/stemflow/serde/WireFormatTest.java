package io.stemflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void shouldWriteTheMagicByteAndABigEndianIdWhenFraming() {
        // given
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        // when
        WireFormat.writeHeader(out, 0x01020304);

        // then
        assertThat(out.toByteArray()).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void shouldReadTheIdAndBodyBoundsWhenTheHeaderIsValid() {
        // when
        final WireFormat.Header header = WireFormat.readHeader("x", new byte[] {0, 0, 0, 1, 2, 9, 9, 9});

        // then
        assertThat(header).isEqualTo(new WireFormat.Header(258, 5, 3));
    }

    @Test
    void shouldNameTheByteAndTopicWhenTheMagicByteIsWrong() {
        assertThatThrownBy(() -> WireFormat.readHeader("x", new byte[] {7, 0, 0, 0, 1, 2}))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("Unknown magic byte 0x07 (expected 0x00) in record of topic 'x'");
        assertThatThrownBy(() -> WireFormat.readHeader("x", new byte[] {(byte) 0xAB, 0, 0, 0, 1}))
                .hasMessage("Unknown magic byte 0xAB (expected 0x00) in record of topic 'x'");
    }

    @Test
    void shouldGiveTheLengthWhenTheRecordIsTooShortForTheHeader() {
        assertThatThrownBy(() -> WireFormat.readHeader("x", new byte[] {0, 0, 0}))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("Record of topic 'x' is too short (3 bytes) to hold the Confluent wire-format header");
        assertThatThrownBy(() -> WireFormat.readHeader("x", new byte[0]))
                .hasMessage("Record of topic 'x' is too short (0 bytes) to hold the Confluent wire-format header");
    }
}
