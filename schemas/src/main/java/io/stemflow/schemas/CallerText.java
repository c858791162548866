package io.stemflow.schemas;

/** Caller text quoted in reasons and logs: clipped, so a megabyte key cannot make a megabyte dead letter. */
public final class CallerText {

    public static final int MAX_QUOTED = 120;

    private CallerText() {
    }

    /** At most {@value #MAX_QUOTED} characters of {@code s}, control and format characters escaped. */
    public static String clip(final String s) {
        return clip(s, MAX_QUOTED);
    }

    /** At most {@code max} characters of {@code s}, control and format characters escaped. */
    public static String clip(final String s, final int max) {
        if (s == null) {
            return null;
        }
        final String shown = s.length() <= max ? s : s.substring(0, max) + "... (" + s.length() + " characters)";
        final StringBuilder b = new StringBuilder(shown.length());
        shown.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
