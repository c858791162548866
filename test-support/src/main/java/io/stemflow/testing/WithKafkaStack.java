package io.stemflow.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real Kafka broker and the embedded schema registry, shared by every
 * test class of the run (started on first use, stopped when the run ends). Declare a
 * {@link TestStack} parameter on a test, a lifecycle method or the constructor to use it.
 * Topics are shared too: name them with {@link TestStack#uniqueTopic(String)}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(KafkaStackExtension.class)
public @interface WithKafkaStack {
}
