package io.stemflow.gateway;

import io.stemflow.gateway.provider.GenerateCall;
import io.stemflow.gateway.provider.ProviderClient;
import io.stemflow.gateway.provider.ProviderReply;
import io.stemflow.gateway.provider.RecordInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Every provider call of the gateways of a test, in the order they were sent: which instance, which job (the
 * generate call's taskId), when sent and answered ({@link System#nanoTime()}, the gateways' own time source), and
 * the answer's code. {@link #of} wraps one instance's real client. Thread-safe.
 */
final class CallLog {

    /** One call; {@code target} is the generate call's taskId, the polled task id, or {@code credit}. */
    record Call(String instance, String endpoint, String target, long sentNanos, long answeredNanos, int code) {
    }

    private final List<Call> calls = new ArrayList<>();

    /** Records the calls of {@code instance} made through the client it wraps. */
    UnaryOperator<ProviderClient> of(final String instance) {
        return client -> new ProviderClient() {
            @Override
            public ProviderReply<String> generate(final GenerateCall call) {
                final long sent = System.nanoTime();
                final ProviderReply<String> reply = client.generate(call);
                add(new Call(instance, "generate", call.taskId(), sent, System.nanoTime(), reply.code()));
                return reply;
            }

            @Override
            public ProviderReply<RecordInfo> recordInfo(final String providerTaskId) {
                final long sent = System.nanoTime();
                final ProviderReply<RecordInfo> reply = client.recordInfo(providerTaskId);
                add(new Call(instance, "record-info", providerTaskId, sent, System.nanoTime(), reply.code()));
                return reply;
            }

            @Override
            public ProviderReply<Long> credit() {
                final long sent = System.nanoTime();
                final ProviderReply<Long> reply = client.credit();
                add(new Call(instance, "credit", "credit", sent, System.nanoTime(), reply.code()));
                return reply;
            }
        };
    }

    /** Every call so far, by the time it was sent. */
    synchronized List<Call> calls() {
        return calls.stream().sorted(Comparator.comparingLong(Call::sentNanos)).toList();
    }

    /** Calls of {@code instance} so far, by the time they were sent. */
    List<Call> callsOf(final String instance) {
        return calls().stream().filter(c -> c.instance().equals(instance)).toList();
    }

    /** The most calls SENT within any {@code windowNanos} (each call's send time opening a window). */
    int mostSentInAnyWindow(final long windowNanos) {
        final List<Call> sorted = calls();
        int most = 0;
        int from = 0;
        for (int to = 0; to < sorted.size(); to++) {
            while (sorted.get(to).sentNanos() - sorted.get(from).sentNanos() >= windowNanos) {
                from++;
            }
            most = Math.max(most, to - from + 1);
        }
        return most;
    }

    private synchronized void add(final Call call) {
        calls.add(call);
    }
}
