package io.stemflow.emulator;

/** Name of the stem-URL object inside a callback's {@code data}: mirrors of the provider disagree. */
public enum CallbackInfoKey {
    /** {@code vocal_removal_info}: most mirrors. */
    VOCAL_REMOVAL_INFO("vocal_removal_info"),
    /** {@code vocal_separation_info}: one mirror. */
    VOCAL_SEPARATION_INFO("vocal_separation_info");

    private final String jsonKey;

    CallbackInfoKey(final String jsonKey) {
        this.jsonKey = jsonKey;
    }

    public String jsonKey() {
        return jsonKey;
    }
}
