package io.stemflow.archiver;

import io.stemflow.testing.TestStack;

/** A test's own archiver topics on the shared broker, created with three partitions each. */
final class TestTopics {

    private TestTopics() {
    }

    static ArchiverConfig.Topics create(final TestStack stack) {
        final ArchiverConfig.Topics topics = new ArchiverConfig.Topics(stack.uniqueTopic("stems"),
                stack.uniqueTopic("archived"), stack.uniqueTopic("dlq"), stack.uniqueTopic("link-refresh"),
                stack.uniqueTopic("links"), stack.uniqueTopic("status"), stack.uniqueTopic("manifests"));
        stack.createTopics(3, topics.stems(), topics.archived(), topics.deadLetters(), topics.linkRefresh(),
                topics.links(), topics.status(), topics.manifests());
        return topics;
    }
}
