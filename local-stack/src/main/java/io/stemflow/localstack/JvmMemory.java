package io.stemflow.localstack;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The memory of another JVM of this machine: its heap through its platform MXBeans (reached by the JDK's attach
 * API, which starts the JVM's local management agent: no port, no flag on the command line), and its resident set
 * from {@code /proc/<pid>/status}. Heap figures are the JVM's own; RSS adds everything off the heap (RocksDB's
 * memtables and block caches, thread stacks, code, metaspace).
 *
 * <p>The heap's peak is taken from the collector's own notifications: the heap is fullest just before a
 * collection, and each notification says how full every pool was then. (The pools' own peaks cannot be added
 * up: eden peaks while the old generation is small and the other way round, so their sum can pass the maximum
 * heap.)
 */
public final class JvmMemory implements AutoCloseable {

    private static final long KIB = 1024;

    private final long pid;
    private final JMXConnector connector;
    private final MemoryMXBean memory;
    private final List<MemoryPoolMXBean> pools;
    private final AtomicLong peakBeforeGc = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private volatile long highestUsedSeen;

    /** The heap now. */
    public record Heap(long used, long committed, long max) {
    }

    private JvmMemory(final long pid, final JMXConnector connector, final MemoryMXBean memory,
                          final List<MemoryPoolMXBean> pools) {
        this.pid = pid;
        this.connector = connector;
        this.memory = memory;
        this.pools = pools;
    }

    public static JvmMemory attach(final long pid) {
        final String address;
        try {
            final VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (AttachNotSupportedException | IOException e) {
            throw new IllegalStateException("Cannot attach to JVM " + pid + " to read its heap: " + e.getMessage(), e);
        }
        try {
            final JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
            final MBeanServerConnection server = connector.getMBeanServerConnection();
            final JvmMemory memory = new JvmMemory(pid, connector,
                    ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME,
                            MemoryMXBean.class),
                    ManagementFactory.getPlatformMXBeans(server, MemoryPoolMXBean.class));
            memory.listenToCollections(server);
            return memory;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the MXBeans of JVM " + pid + " at " + address, e);
        }
    }

    private void listenToCollections(final MBeanServerConnection server) throws IOException {
        final Set<String> heapPools = pools.stream().filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        try {
            for (final ObjectName collector : server.queryNames(
                    new ObjectName(ManagementFactory.GARBAGE_COLLECTOR_MXBEAN_DOMAIN_TYPE + ",*"), null)) {
                server.addNotificationListener(collector, (notification, handback) -> collected(notification,
                        heapPools), null, null);
            }
        } catch (MalformedObjectNameException | InstanceNotFoundException e) {
            throw new IllegalStateException("Cannot listen to the collectors of JVM " + pid, e);
        }
    }

    private void collected(final Notification notification, final Set<String> heapPools) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        final GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        final long before = info.getGcInfo().getMemoryUsageBeforeGc().entrySet().stream()
                .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
        peakBeforeGc.accumulateAndGet(before, Math::max);
        collections.incrementAndGet();
    }

    /** The heap now; also kept as the highest used heap seen if it is. */
    public Heap heap() {
        final MemoryUsage u = memory.getHeapMemoryUsage();
        highestUsedSeen = Math.max(highestUsedSeen, u.getUsed());
        return new Heap(u.getUsed(), u.getCommitted(), u.getMax());
    }

    /** The highest used heap of every {@link #heap()} call so far. */
    public long highestUsedSeen() {
        return highestUsedSeen;
    }

    /**
     * The heap's peak since this object attached: the fullest it was before a collection, or the highest
     * {@link #heap()} read if that was higher.
     */
    public long peakUsed() {
        return Math.max(peakBeforeGc.get(), highestUsedSeen);
    }

    /** Collections seen since this object attached. */
    public long collections() {
        return collections.get();
    }

    /** Runs a full collection in the JVM, then reads its heap: what it holds on to. */
    public Heap heapAfterFullGc() {
        memory.gc();
        return heap();
    }

    /** VmRSS: resident now. */
    public long residentBytes() {
        return status("VmRSS:");
    }

    /** VmHWM: the highest resident set since the process started. */
    public long peakResidentBytes() {
        return status("VmHWM:");
    }

    private long status(final String field) {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").trim()) * KIB;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read /proc/" + pid + "/status", e);
        }
        throw new IllegalStateException("/proc/" + pid + "/status has no " + field);
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the JVM is going away anyway
        }
    }
}
