package io.stemflow.http;

/**
 * Text from a stranger (a URL, a header, a body field) made safe for one log line: every character that
 * is not printable is written as {@code \\uXXXX}, so a caller cannot start a new line (CR, LF, U+0085,
 * U+2028, U+2029), send terminal escapes (ESC, U+009B), or reorder what an operator reads (U+202E and the
 * other bidirectional and format characters). A backslash is doubled, so an escape cannot be faked.
 * Long text is cut, with its length said.
 */
public final class LogText {

    /** Longest text kept in one log line; the rest is replaced by a count. */
    public static final int MAX_CHARS = 200;

    private LogText() {
    }

    /** {@code text} with every non-printable character escaped; {@code "null"} for null. */
    public static String escape(final CharSequence text) {
        if (text == null) {
            return "null";
        }
        final int shown = Math.min(text.length(), MAX_CHARS);
        final StringBuilder out = new StringBuilder(shown + 16);
        for (int i = 0; i < shown; i++) {
            final char c = text.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (printable(c)) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04X", (int) c));
            }
        }
        if (text.length() > shown) {
            out.append("...(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }

    static boolean printable(final char c) {
        if (Character.isISOControl(c)) { // C0, DEL, C1 (U+0085 NEL, U+009B CSI)
            return false;
        }
        if (Character.isSurrogate(c)) { // a lone or paired surrogate: escaped, never split into nonsense
            return false;
        }
        switch (Character.getType(c)) {
            case Character.FORMAT:              // U+200B..U+200F, U+202A..U+202E, U+2066..U+2069, U+FEFF
            case Character.LINE_SEPARATOR:      // U+2028
            case Character.PARAGRAPH_SEPARATOR: // U+2029
            case Character.UNASSIGNED:
            case Character.PRIVATE_USE:
                return false;
            default:
                return true;
        }
    }
}
