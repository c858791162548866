package io.stemflow.serde;

import java.io.ByteArrayOutputStream;

/**
 * The Confluent wire format: magic byte {@code 0x00}, the schema id as a 4-byte big-endian int,
 * then the Avro binary encoding of the value with that schema.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0x0;
    public static final int HEADER_SIZE = 5;

    /** Where the Avro body of a framed record is. */
    public record Header(int schemaId, int bodyOffset, int bodyLength) {}

    private WireFormat() {}

    /**
     * Reads the header of {@code record}.
     *
     * @throws MalformedRecordException when the record is shorter than the header or its first
     *     byte is not the magic byte
     */
    public static Header readHeader(String topic, byte[] record) {
        if (record.length < HEADER_SIZE) {
            throw new MalformedRecordException(
                    "Record of topic '" + topic + "' is too short (" + record.length
                            + " bytes) to hold the Confluent wire-format header");
        }
        if (record[0] != MAGIC_BYTE) {
            throw new MalformedRecordException(
                    String.format(
                            "Unknown magic byte 0x%02X (expected 0x%02X) in record of topic '%s'",
                            record[0] & 0xFF,
                            MAGIC_BYTE,
                            topic));
        }
        final int schemaId =
                ((record[1] & 0xFF) << 24) | ((record[2] & 0xFF) << 16) | ((record[3] & 0xFF) << 8) | (record[4] & 0xFF);
        return new Header(schemaId, HEADER_SIZE, record.length - HEADER_SIZE);
    }

    /** Writes the magic byte and {@code schemaId} to {@code out}. */
    public static void writeHeader(ByteArrayOutputStream out, int schemaId) {
        out.write(MAGIC_BYTE);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
    }
}
