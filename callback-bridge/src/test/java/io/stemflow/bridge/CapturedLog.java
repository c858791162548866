package io.stemflow.bridge;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The lines one class logs at INFO and above while this is open, as they would be written (level and
 * formatted message), through the real log4j2 configuration: what an operator would read.
 */
final class CapturedLog implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final String loggerName;
    private final AbstractAppender appender;

    private CapturedLog(final String loggerName) {
        this.loggerName = loggerName;
        this.appender = new AbstractAppender("captured-" + loggerName, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(final LogEvent event) {
                lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        final Configuration config = context.getConfiguration();
        final LoggerConfig logger = new LoggerConfig(loggerName, Level.INFO, false);
        logger.addAppender(appender, Level.INFO, null);
        config.addLogger(loggerName, logger);
        context.updateLoggers();
    }

    static CapturedLog of(final Class<?> type) {
        return new CapturedLog(type.getName());
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(loggerName);
        context.updateLoggers();
        appender.stop();
    }
}
