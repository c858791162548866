package io.stemflow.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition assignor (classic group protocol, COOPERATIVE rebalancing) that gives EVERY partition of the
 * subscribed topics to ONE member of the group; the other members get nothing and stay hot standbys: they keep
 * polling and heartbeating, so they take over once the holder has left or its session has timed out. Both gateway
 * groups (submitter and reconciler) use it and pick the same instance, because both loops call the provider
 * through one gate that uses the whole limit.
 *
 * <p>The choice is a pure function of the members' subscriptions ({@link #decide}):
 * <ol>
 *   <li>{@link Rule#STICKY}: a member that owns partitions of this group AND holds the other role (its instance's
 *       other loop owns the other group's partitions) keeps them: the steady state, undisturbed by members joining
 *       or restarting;</li>
 *   <li>{@link Rule#JOIN_THE_OTHER_ROLE}: otherwise the lowest of the members that own partitions here OR hold the
 *       other role. When the two roles are split over two instances (say both started at once and each group saw
 *       a different member first), both groups pick the lowest of the same two instances, so they converge on one;
 *       a loop whose instance holds one role and not the other asks its group for a rebalance
 *       ({@link ActiveRole}), so each group decides on fresh claims;</li>
 *   <li>{@link Rule#LOWEST_INSTANCE}: otherwise (nobody holds anything: a fresh group, or the holder left) the
 *       member with the lowest instance id.</li>
 * </ol>
 * "Lowest": instance ids that are whole numbers come first, in numeric order (StatefulSet ordinals: 2 before 10),
 * then the others in text order; a member without a readable claim comes last; ties go by member id. So the result
 * does not depend on the order of the subscriptions.
 *
 * <p>COOPERATIVE rules: a partition still owned by another member is never handed to the chosen member in the same
 * rebalance: it is left out, its owner (whose new assignment lacks it) revokes it, committing what it has done,
 * and rejoins at once, and the next rebalance hands it over. So no two members own a partition at any moment.
 * When two members claim one partition (one missed a rebalance), the claim of the higher generation counts.
 *
 * <p>Each member states its {@link Claim} (instance id, whether it holds the other role) in the subscription's
 * user data, read at every join from the {@link Claims} object given under {@value #CLAIMS_CONFIG} in the
 * consumer's configuration. Every member's assignment carries, in its user data, the instance ids of all members
 * of that generation ({@link #encodeMembers}), handed to {@link Claims#assigned} before the member's
 * partitions-assigned callback: an instance that takes the role over learns whether the previous holder is still
 * in the group ({@link TakeoverHold}). When a member's claim does not read, the list is left out (unknown).
 */
public final class OneActiveAssignor implements ConsumerPartitionAssignor, Configurable {

    /** The assignor's name in the group protocol: every member of a gateway group must use it. */
    public static final String NAME = "stemflow-one-active";
    /** Consumer configuration key of this member's {@link Claims}. */
    public static final String CLAIMS_CONFIG = "stemflow.gateway.claims";

    private static final Logger LOG = LoggerFactory.getLogger(OneActiveAssignor.class);
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]+");
    private static final byte CLAIM_VERSION = 1;
    private static final byte MEMBERS_VERSION = 1;
    private static final int MAX_MEMBERS = 10_000;
    private static final int MAX_ID_BYTES = 1024;

    /** What rule chose the member. */
    enum Rule { STICKY, JOIN_THE_OTHER_ROLE, LOWEST_INSTANCE, NO_MEMBERS }

    /**
     * What a member says about itself in its subscription.
     *
     * @param instanceId     {@code STEMFLOW_GATEWAY_INSTANCE_ID} of its gateway
     * @param holdsOtherRole whether the other loop of its gateway owns partitions of the other group now
     */
    public record Claim(String instanceId, boolean holdsOtherRole) {

        public Claim {
            Objects.requireNonNull(instanceId, "instanceId");
        }

        /** Version byte, flags byte (bit 0: holds the other role), id length (int), id (UTF-8). */
        ByteBuffer encode() {
            final byte[] id = instanceId.getBytes(StandardCharsets.UTF_8);
            final ByteBuffer buffer = ByteBuffer.allocate(2 + Integer.BYTES + id.length);
            buffer.put(CLAIM_VERSION).put((byte) (holdsOtherRole ? 1 : 0)).putInt(id.length).put(id);
            return buffer.flip();
        }

        /**
         * Reads a claim; empty when there is none or it does not read (such a member is chosen last). A later
         * version that only appends fields reads as its first fields.
         */
        static Optional<Claim> decode(final ByteBuffer userData) {
            if (userData == null) {
                return Optional.empty();
            }
            final ByteBuffer buffer = userData.duplicate();
            if (buffer.remaining() < 2 + Integer.BYTES || buffer.get() < CLAIM_VERSION) {
                return Optional.empty();
            }
            final boolean holdsOther = (buffer.get() & 1) != 0;
            final int length = buffer.getInt();
            if (length < 0 || length > MAX_ID_BYTES || length > buffer.remaining()) {
                return Optional.empty();
            }
            final byte[] id = new byte[length];
            buffer.get(id);
            return Optional.of(new Claim(new String(id, StandardCharsets.UTF_8), holdsOther));
        }
    }

    /** Where a consumer's assignor reads its member's claim, at every join, and tells who is in the group. */
    @FunctionalInterface
    public interface Claims {
        Claim current();

        /**
         * The instance ids of the group's members in the generation of the assignment just received; empty when
         * the leader did not say. Called on the consumer's thread, before its partitions-assigned callback.
         */
        default void assigned(final Optional<Set<String>> members) {
        }
    }

    /**
     * One member as the choice sees it.
     *
     * @param claim      empty when its user data does not read
     * @param owned      partitions it owned when it joined (COOPERATIVE)
     * @param generation the generation it owned them in; -1 when unknown
     */
    record Member(String memberId, Optional<Claim> claim, Set<String> topics, List<TopicPartition> owned,
                  int generation) {

        Member {
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(claim, "claim");
            topics = Set.copyOf(topics);
            owned = List.copyOf(owned);
        }
    }

    /**
     * The outcome of one rebalance.
     *
     * @param chosen     member id of the one member that gets partitions; null when there are no members
     * @param assignment every member's partitions (the chosen member's list; empty lists for the others)
     * @param withheld   partitions that go to the chosen member once their current owner has revoked them
     */
    record Decision(String chosen, Rule rule, Map<String, List<TopicPartition>> assignment,
                    List<TopicPartition> withheld) {
    }

    /** Instance ids: whole numbers first (numerically), then text; members without a claim last; then member id. */
    static final Comparator<Member> LOWEST_FIRST = Comparator
            .comparing((Member m) -> m.claim().map(Claim::instanceId), OneActiveAssignor::compareIds)
            .thenComparing(Member::memberId);

    private static final Comparator<TopicPartition> PARTITION_ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private Claims claims;

    /** Kafka creates the assignor by reflection, then {@linkplain #configure configures} it. */
    public OneActiveAssignor() {
    }

    @Override
    public void configure(final Map<String, ?> configs) {
        final Object value = configs.get(CLAIMS_CONFIG);
        if (!(value instanceof Claims given)) {
            throw new ConfigException(CLAIMS_CONFIG, value, "must be a " + Claims.class.getName()
                    + " (the gateway sets it; " + NAME + " is not usable on its own)");
        }
        this.claims = given;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** COOPERATIVE only: stickiness needs the members' owned partitions, which EAGER members never report. */
    @Override
    public List<RebalanceProtocol> supportedProtocols() {
        return List.of(RebalanceProtocol.COOPERATIVE);
    }

    @Override
    public ByteBuffer subscriptionUserData(final Set<String> topics) {
        return claims.current().encode();
    }

    @Override
    public GroupAssignment assign(final Cluster metadata, final GroupSubscription groupSubscription) {
        final List<Member> members = new ArrayList<>();
        final Set<String> topics = new TreeSet<>();
        groupSubscription.groupSubscription().forEach((memberId, subscription) -> {
            members.add(new Member(memberId, Claim.decode(subscription.userData()),
                    Set.copyOf(subscription.topics()), subscription.ownedPartitions(),
                    subscription.generationId().orElse(-1)));
            topics.addAll(subscription.topics());
        });
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final String topic : topics) {
            final List<PartitionInfo> infos = metadata.partitionsForTopic(topic);
            if (infos != null) {
                infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
        }
        final Decision decision = decide(members, partitions);
        LOG.info("{} partitions of {} to member {} ({}, {}){}; {} members in the group", partitions.size(), topics,
                decision.chosen(), members.stream().filter(m -> m.memberId().equals(decision.chosen())).findFirst()
                        .flatMap(Member::claim).map(c -> "instance " + c.instanceId()).orElse("no claim"),
                decision.rule(), decision.withheld().isEmpty() ? ""
                        : ", " + decision.withheld().size() + " after their owner has revoked them", members.size());
        final boolean allClaimed = members.stream().allMatch(m -> m.claim().isPresent());
        final List<String> instances = members.stream().flatMap(m -> m.claim().stream()).map(Claim::instanceId)
                .distinct().sorted().toList();
        final Map<String, Assignment> assignments = new HashMap<>();
        decision.assignment().forEach((member, assigned) -> assignments.put(member,
                new Assignment(assigned, allClaimed ? encodeMembers(instances) : null)));
        return new GroupAssignment(assignments);
    }

    @Override
    public void onAssignment(final Assignment assignment, final ConsumerGroupMetadata metadata) {
        claims.assigned(decodeMembers(assignment.userData()));
    }

    /** Version byte, count (int), then each id as length (int) and UTF-8. */
    static ByteBuffer encodeMembers(final Collection<String> instanceIds) {
        final List<byte[]> ids = instanceIds.stream().map(id -> id.getBytes(StandardCharsets.UTF_8)).toList();
        final ByteBuffer buffer = ByteBuffer.allocate(1 + Integer.BYTES
                + ids.stream().mapToInt(id -> Integer.BYTES + id.length).sum());
        buffer.put(MEMBERS_VERSION).putInt(ids.size());
        ids.forEach(id -> buffer.putInt(id.length).put(id));
        return buffer.flip();
    }

    /** The members of an assignment's user data; empty when there is none or it does not read. */
    static Optional<Set<String>> decodeMembers(final ByteBuffer userData) {
        if (userData == null) {
            return Optional.empty();
        }
        final ByteBuffer buffer = userData.duplicate();
        if (buffer.remaining() < 1 + Integer.BYTES || buffer.get() != MEMBERS_VERSION) {
            return Optional.empty();
        }
        final int count = buffer.getInt();
        if (count < 0 || count > MAX_MEMBERS) {
            return Optional.empty();
        }
        final Set<String> ids = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            if (buffer.remaining() < Integer.BYTES) {
                return Optional.empty();
            }
            final int length = buffer.getInt();
            if (length < 0 || length > MAX_ID_BYTES || length > buffer.remaining()) {
                return Optional.empty();
            }
            final byte[] id = new byte[length];
            buffer.get(id);
            ids.add(new String(id, StandardCharsets.UTF_8));
        }
        return Optional.of(Set.copyOf(ids));
    }

    /**
     * The pure choice: one member gets every partition of {@code partitions} that it subscribes to and that no
     * other member owns; see the class comment for the rules.
     */
    static Decision decide(final Collection<Member> members, final Collection<TopicPartition> partitions) {
        final List<Member> sorted = members.stream().sorted(LOWEST_FIRST).toList();
        final Map<String, List<TopicPartition>> assignment = new LinkedHashMap<>();
        sorted.forEach(m -> assignment.put(m.memberId(), new ArrayList<>()));
        if (sorted.isEmpty()) {
            return new Decision(null, Rule.NO_MEMBERS, assignment, List.of());
        }
        final Map<TopicPartition, String> owners = owners(sorted, partitions);
        final Set<String> owning = Set.copyOf(owners.values());
        Rule rule = Rule.STICKY;
        Optional<Member> chosen = sorted.stream()
                .filter(m -> owning.contains(m.memberId()) && holdsOtherRole(m)).findFirst();
        if (chosen.isEmpty()) {
            rule = Rule.JOIN_THE_OTHER_ROLE;
            chosen = sorted.stream().filter(m -> owning.contains(m.memberId()) || holdsOtherRole(m)).findFirst();
        }
        if (chosen.isEmpty()) {
            rule = Rule.LOWEST_INSTANCE;
            chosen = Optional.of(sorted.get(0));
        }
        final Member winner = chosen.get();
        final List<TopicPartition> withheld = new ArrayList<>();
        for (final TopicPartition partition : partitions.stream().distinct().sorted(PARTITION_ORDER).toList()) {
            if (!winner.topics().contains(partition.topic())) {
                continue;
            }
            final String owner = owners.get(partition);
            if (owner == null || owner.equals(winner.memberId())) {
                assignment.get(winner.memberId()).add(partition);
            } else {
                withheld.add(partition);
            }
        }
        return new Decision(winner.memberId(), rule, assignment, withheld);
    }

    /** The owner of each partition: the claim of the highest generation wins, then the lowest member. */
    private static Map<TopicPartition, String> owners(final List<Member> sorted,
                                                      final Collection<TopicPartition> partitions) {
        final Set<TopicPartition> known = Set.copyOf(partitions);
        final Map<TopicPartition, String> owners = new HashMap<>();
        final List<Member> byGeneration = sorted.stream()
                .sorted(Comparator.comparingInt(Member::generation).reversed()).toList(); // stable: ties stay lowest first
        for (final Member member : byGeneration) {
            for (final TopicPartition partition : member.owned()) {
                if (known.contains(partition)) {
                    owners.putIfAbsent(partition, member.memberId());
                }
            }
        }
        return owners;
    }

    private static boolean holdsOtherRole(final Member member) {
        return member.claim().map(Claim::holdsOtherRole).orElse(false);
    }

    /** Whole numbers first, numerically (without leading zeros, then by length); then text; missing last. */
    static int compareIds(final Optional<String> a, final Optional<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return Boolean.compare(a.isEmpty(), b.isEmpty());
        }
        final boolean aNumber = WHOLE_NUMBER.matcher(a.get()).matches();
        final boolean bNumber = WHOLE_NUMBER.matcher(b.get()).matches();
        if (aNumber != bNumber) {
            return aNumber ? -1 : 1;
        }
        if (aNumber) {
            final String x = stripZeros(a.get());
            final String y = stripZeros(b.get());
            final int byLength = Integer.compare(x.length(), y.length());
            return byLength != 0 ? byLength : x.compareTo(y);
        }
        return a.get().compareTo(b.get());
    }

    private static String stripZeros(final String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }
}
