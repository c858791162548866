package io.stemflow.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * A few lines redrawn in place (status --watch, submit's progress), or printed plainly where the output
 * is not a terminal.
 *
 * <p>On a terminal each frame moves the cursor up over the rows of the previous frame ({@code ESC[nA}),
 * then writes each row from its first column ({@code \r}) and clears what is left of it ({@code ESC[K}),
 * so a shorter row never leaves the tail of a longer one behind it; after the last row it clears the rest
 * of the screen ({@code ESC[J}), so a frame with fewer rows leaves none of the old ones. Every line is
 * wrapped to the terminal's width less one column (a row that fills the last column makes some terminals
 * wrap by themselves, and the cursor-up count would be wrong); continuation rows are indented. The cursor
 * ends at the start of the row below the frame, so whatever is printed next starts on a line of its own.
 */
final class LiveLines {

    static final String CURSOR_UP = "\u001b[%dA";
    static final String CLEAR_TO_END_OF_LINE = "\u001b[K";
    static final String CLEAR_TO_END_OF_SCREEN = "\u001b[J";
    private static final String CONTINUATION = "  ";
    private static final int NARROWEST = 20;

    private final PrintWriter out;
    private final boolean redraw;
    private final IntSupplier width;
    private int rowsOnScreen;

    /**
     * @param redraw whether {@code out} is a terminal that may be redrawn (see {@link Terminal#redraws()})
     * @param width  the terminal's width, asked before each frame (the window may have been resized)
     */
    LiveLines(final PrintWriter out, final boolean redraw, final IntSupplier width) {
        this.out = out;
        this.redraw = redraw;
        this.width = width;
    }

    /** Replaces the previous frame by {@code lines} on a terminal; elsewhere prints them. */
    synchronized void draw(final List<String> lines) {
        if (redraw) {
            final List<String> rows = rows(lines, width.getAsInt());
            out.print(frame(rows, rowsOnScreen));
            rowsOnScreen = rows.size();
        } else {
            lines.forEach(out::println);
        }
        out.flush();
    }

    /** Whether frames are redrawn in place. */
    boolean redraws() {
        return redraw;
    }

    /** The text that replaces a frame of {@code previousRows} rows by {@code rows} (already wrapped). */
    static String frame(final List<String> rows, final int previousRows) {
        final StringBuilder b = new StringBuilder();
        if (previousRows > 0) {
            b.append(String.format(CURSOR_UP, previousRows));
        }
        for (final String row : rows) {
            b.append('\r').append(row).append(CLEAR_TO_END_OF_LINE).append('\n');
        }
        return b.append(CLEAR_TO_END_OF_SCREEN).toString();
    }

    /** Every line wrapped to {@code width}: see {@link #wrap(String, int)}. */
    static List<String> rows(final List<String> lines, final int width) {
        final List<String> rows = new ArrayList<>();
        lines.forEach(line -> rows.addAll(wrap(line, width)));
        return rows;
    }

    /**
     * {@code line} cut into rows of at most {@code width - 1} characters (at least {@value #NARROWEST}):
     * at the last {@code " | "} that fits, else the last space, else in the middle of a word; rows after the
     * first are indented by two spaces. Control characters are shown as {@code ?}: they would move the cursor.
     */
    static List<String> wrap(final String line, final int width) {
        final int max = Math.max(NARROWEST, width - 1);
        final List<String> rows = new ArrayList<>();
        String rest = line.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        String indent = "";
        while (indent.length() + rest.length() > max) {
            final int room = max - indent.length();
            int cut = rest.lastIndexOf(" | ", room - 1);
            int next = cut + 3;
            if (cut <= 0) {
                cut = rest.lastIndexOf(' ', room);
                next = cut + 1;
            }
            if (cut <= 0) {
                cut = room;
                next = room;
            }
            rows.add(indent + rest.substring(0, cut).stripTrailing());
            rest = rest.substring(next).stripLeading();
            indent = CONTINUATION;
        }
        if (rows.isEmpty() || !rest.isBlank()) {
            rows.add(indent + rest);
        }
        return rows;
    }
}
