package io.stemflow.gateway.provider;

/** The provider's three endpoints; they share one rate window per API key. */
public enum Endpoint {
    /** {@code POST /api/v1/vocal-removal/generate}: creates a separation task (charged). */
    GENERATE("generate", "/api/v1/vocal-removal/generate"),
    /** {@code GET /api/v1/vocal-removal/record-info?taskId=}: polls a task. */
    RECORD_INFO("record-info", "/api/v1/vocal-removal/record-info"),
    /** {@code GET /api/v1/generate/credit}: the key's remaining credits. */
    CREDIT("credit", "/api/v1/generate/credit");

    private final String label;
    private final String path;

    Endpoint(final String label, final String path) {
        this.label = label;
        this.path = path;
    }

    /** Short name for logs and metric tags. */
    public String label() {
        return label;
    }

    /** Path below the provider's base URL. */
    public String path() {
        return path;
    }
}
