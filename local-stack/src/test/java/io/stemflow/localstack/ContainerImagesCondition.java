package io.stemflow.localstack;

import com.github.dockerjava.api.DockerClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs {@link ContainerStackTest} with its default images only where they can be had: present on
 * the engine, or pulled within a minute. A Docker host without registry access (an air-gapped one,
 * or this project's CI before it points the test at the images of docker/offline) then reports the
 * test as skipped, saying why, instead of failing after Testcontainers' pull retries. Images named
 * through the environment ({@code STEMFLOW_TEST_*_IMAGE}) are never skipped for: whoever names them
 * means the test to run, and a missing one fails it.
 */
final class ContainerImagesCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(final ExtensionContext context) {
        if (ContainerStackTest.imagesNamedByEnvironment()) {
            return ConditionEvaluationResult.enabled("images named by the environment");
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return ConditionEvaluationResult.disabled("no Docker engine");
        }
        final DockerClient docker = DockerClientFactory.instance().client();
        for (final String image : List.of(ContainerStackTest.kafkaImage(), ContainerStackTest.registryImage())) {
            if (!present(docker, image) && !pulled(docker, image)) {
                return ConditionEvaluationResult.disabled("image " + image + " is not on this Docker engine and cannot be"
                        + " pulled (no registry access?): build local ones as docker/offline/README.md says and name them"
                        + " in STEMFLOW_TEST_KAFKA_IMAGE / STEMFLOW_TEST_REGISTRY_IMAGE");
            }
        }
        return ConditionEvaluationResult.enabled("images available");
    }

    private static boolean present(final DockerClient docker, final String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean pulled(final DockerClient docker, final String image) {
        try {
            return docker.pullImageCmd(image).start().awaitCompletion(60, TimeUnit.SECONDS) && present(docker, image);
        } catch (RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
