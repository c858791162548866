package io.stemflow.emulator.testing;

import io.stemflow.emulator.EmulatorConfig;
import io.stemflow.emulator.ProviderEmulator;
import io.stemflow.emulator.support.CallbackReceiver;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.time.EmulatorTime;
import io.stemflow.emulator.time.SystemTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The provider emulator's test fixtures for JUnit 5: resolves a {@link ProviderEmulator} and a
 * {@link CallbackReceiver} parameter, each started on first use in a test and closed when that test
 * ends (both are {@link AutoCloseable} in the test's store), so a test class keeps no start/stop code.
 *
 * <p>Invariant: within one test, every parameter of a type is the same instance (the test method and
 * its {@code @BeforeEach} methods share it); no instance outlives its test.
 *
 * <p>Declaratively with {@link WithProviderEmulator} (test defaults, the system clock), or with
 * settings of the class's own:
 * <pre>{@code
 * @RegisterExtension
 * final ProviderEmulatorExtension emulators = ProviderEmulatorExtension
 *         .starting(() -> TestConfigs.quick().maxBodyBytes(1_024).build())
 *         .withTime(() -> time);
 * }</pre>
 * The suppliers are called when the emulator starts, so they may read fields of the test instance.
 * Tests that start several emulators with settings of their own (try-with-resources) keep doing so.
 */
public final class ProviderEmulatorExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ProviderEmulatorExtension.class);

    private final Supplier<EmulatorConfig> config;
    private final Supplier<? extends EmulatorTime> time;

    /** The declarative form ({@link WithProviderEmulator}): test defaults, the system clock. */
    public ProviderEmulatorExtension() {
        this(() -> TestConfigs.quick().build(), SystemTime::create);
    }

    private ProviderEmulatorExtension(final Supplier<EmulatorConfig> config, final Supplier<? extends EmulatorTime> time) {
        this.config = Objects.requireNonNull(config, "config");
        this.time = Objects.requireNonNull(time, "time");
    }

    /** An emulator started with {@code config} (read when the emulator starts) on the system clock. */
    public static ProviderEmulatorExtension starting(final Supplier<EmulatorConfig> config) {
        return new ProviderEmulatorExtension(config, SystemTime::create);
    }

    /** The same, on the given time source (e.g. a {@code ManualTime} field of the test). */
    public ProviderEmulatorExtension withTime(final Supplier<? extends EmulatorTime> emulatorTime) {
        return new ProviderEmulatorExtension(config, emulatorTime);
    }

    @Override
    public boolean supportsParameter(final ParameterContext parameterContext, final ExtensionContext extensionContext) {
        final Class<?> type = parameterContext.getParameter().getType();
        return type == ProviderEmulator.class || type == CallbackReceiver.class;
    }

    @Override
    public Object resolveParameter(final ParameterContext parameterContext, final ExtensionContext extensionContext)
            throws ParameterResolutionException {
        final ExtensionContext.Store store = extensionContext.getStore(NAMESPACE);
        if (parameterContext.getParameter().getType() == ProviderEmulator.class) {
            return store.getOrComputeIfAbsent(ProviderEmulator.class, type -> start(), ProviderEmulator.class);
        }
        return store.getOrComputeIfAbsent(CallbackReceiver.class, type -> receiver(), CallbackReceiver.class);
    }

    private ProviderEmulator start() {
        return ProviderEmulator.start(config.get(), time.get());
    }

    private static CallbackReceiver receiver() {
        try {
            return new CallbackReceiver();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the callback receiver on 127.0.0.1", e);
        }
    }
}
