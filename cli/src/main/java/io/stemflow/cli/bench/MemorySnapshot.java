package io.stemflow.cli.bench;

import io.stemflow.localstack.JvmMemory;
import java.util.Locale;

/**
 * One process's memory at one moment: its heap as the JVM reports it (used now, then what it holds on to after a
 * full collection, committed, maximum), and its resident set from {@code /proc} (now and its peak so far).
 */
record MemorySnapshot(String process, long pid, JvmMemory.Heap heap, JvmMemory.Heap afterFullGc, long rss,
                      long peakRss) {

    private static final double MIB = 1024.0 * 1024.0;

    static MemorySnapshot of(final String process, final long pid, final JvmMemory memory) {
        final JvmMemory.Heap now = memory.heap();
        final JvmMemory.Heap afterGc = memory.heapAfterFullGc();
        return new MemorySnapshot(process, pid, now, afterGc, memory.residentBytes(), memory.peakResidentBytes());
    }

    String describe() {
        return String.format(Locale.ROOT, "heap %.0f MiB used, %.0f MiB after a full GC, %.0f MiB committed of %.0f MiB;"
                        + " RSS %.0f MiB (peak %.0f MiB)", heap.used() / MIB, afterFullGc.used() / MIB,
                afterFullGc.committed() / MIB, afterFullGc.max() / MIB, rss / MIB, peakRss / MIB);
    }
}
