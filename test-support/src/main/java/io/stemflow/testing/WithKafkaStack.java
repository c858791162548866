package io.stemflow.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real Kafka broker and the embedded schema registry, shared by every
 * test class of the run (started on first use, stopped when the run ends). Declare a
 * {@link TestStack} parameter on a test, a lifecycle method or the constructor to use it.
 * Topics are shared too: name them with {@link TestStack#uniqueTopic(String)}.
 *
 * <p>Tagged {@value #TAG}, so {@code mvn test -DexcludedGroups=broker} leaves these classes out;
 * every other class that needs a broker, a child process or Docker carries
 * {@code @Tag("broker")} itself.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(KafkaStackExtension.class)
@Tag(WithKafkaStack.TAG)
public @interface WithKafkaStack {

    /** The JUnit tag of every broker-backed test class. */
    String TAG = "broker";
}
