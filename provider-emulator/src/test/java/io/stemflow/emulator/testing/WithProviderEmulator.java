package io.stemflow.emulator.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives each test of the class a running {@link io.stemflow.emulator.ProviderEmulator} with the test
 * defaults ({@link io.stemflow.emulator.support.TestConfigs#quick()}) and a
 * {@link io.stemflow.emulator.support.CallbackReceiver}, each closed after the test: declare a
 * parameter of either type on the test or on a {@code @BeforeEach} method. A class that needs other
 * settings or a manual clock registers {@link ProviderEmulatorExtension#starting} instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(ProviderEmulatorExtension.class)
public @interface WithProviderEmulator {
}
