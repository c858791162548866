package io.stemflow.gateway;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures everything logged while open (root at INFO, {@code io.stemflow} at DEBUG), with the stack traces of
 * logged exceptions, so a test can grep it for secrets. Restores the levels on close.
 */
final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();
    private final Level rootBefore;
    private final Level stemflowBefore;

    private LogCapture() {
        super("gateway-test-capture", null, null, true, Property.EMPTY_ARRAY);
        final LoggerContext context = (LoggerContext) LogManager.getContext(false);
        final Configuration config = context.getConfiguration();
        rootBefore = config.getRootLogger().getLevel();
        final LoggerConfig stemflow = config.getLoggerConfig("io.stemflow");
        stemflowBefore = stemflow.getName().equals("io.stemflow") ? stemflow.getLevel() : null;
        start();
        config.addAppender(this);
        config.getRootLogger().addAppender(this, Level.ALL, null);
        context.updateLoggers();
        Configurator.setRootLevel(Level.INFO);
        Configurator.setLevel("io.stemflow", Level.DEBUG);
    }

    static LogCapture open() {
        return new LogCapture();
    }

    @Override
    public void append(final LogEvent event) {
        final StringBuilder line = new StringBuilder()
                .append(event.getLevel()).append(' ').append(event.getLoggerName()).append(": ")
                .append(event.getMessage().getFormattedMessage());
        if (event.getThrown() != null) {
            final StringWriter trace = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(trace));
            line.append('\n').append(trace);
        }
        synchronized (lines) {
            lines.add(line.toString());
        }
    }

    /** Everything captured so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        final LoggerContext context = (LoggerContext) LogManager.getContext(false);
        final Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(getName());
        Configurator.setRootLevel(rootBefore);
        if (stemflowBefore == null) {
            Configurator.setLevel("io.stemflow", rootBefore);
        } else {
            Configurator.setLevel("io.stemflow", stemflowBefore);
        }
        context.updateLoggers();
        stop();
    }
}
