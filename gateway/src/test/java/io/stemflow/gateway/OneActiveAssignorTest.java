package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.gateway.OneActiveAssignor.Claim;
import io.stemflow.gateway.OneActiveAssignor.Decision;
import io.stemflow.gateway.OneActiveAssignor.Member;
import io.stemflow.gateway.OneActiveAssignor.Rule;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupAssignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.RebalanceProtocol;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * The assignor as the pure function it is: one member gets every partition, sticky to the member holding both
 * roles, converging split roles on the lowest instance, the lowest instance otherwise; COOPERATIVE rules (a
 * partition owned by another member is withheld for one rebalance); deterministic whatever the order of the
 * subscriptions; and the Kafka adapter (claims in user data, partitions from the cluster metadata).
 */
class OneActiveAssignorTest {

    private static final String TOPIC = "admitted";
    private static final List<TopicPartition> PARTITIONS = List.of(tp(0), tp(1), tp(2));

    @Test
    void shouldGiveEveryPartitionToTheLowestInstanceWhenNobodyOwnsAny() {
        // given: a fresh group
        final List<Member> members = List.of(member("m-b", "1", false), member("m-a", "0", false),
                member("m-c", "2", false));

        // when
        final Decision decision = OneActiveAssignor.decide(members, PARTITIONS);

        // then
        assertThat(decision.chosen()).isEqualTo("m-a");
        assertThat(decision.rule()).isEqualTo(Rule.LOWEST_INSTANCE);
        assertThat(decision.assignment()).containsEntry("m-a", PARTITIONS).containsEntry("m-b", List.of())
                .containsEntry("m-c", List.of());
        assertThat(decision.withheld()).isEmpty();
    }

    @Test
    void shouldKeepThePartitionsWithTheirOwnerWhenALowerInstanceJoins() {
        // given: instance 5 holds both roles; instance 0 (re)joins
        final List<Member> members = List.of(member("m-5", "5", true, PARTITIONS), member("m-0", "0", false));

        // when
        final Decision decision = OneActiveAssignor.decide(members, PARTITIONS);

        // then
        assertThat(decision.chosen()).isEqualTo("m-5");
        assertThat(decision.rule()).isEqualTo(Rule.STICKY);
        assertThat(decision.assignment()).containsEntry("m-5", PARTITIONS).containsEntry("m-0", List.of());
    }

    @Test
    void shouldHandEverythingToTheLowestRemainingWhenTheOwnerHasLeft() {
        // given: the owner's session timed out, two standbys remain
        final List<Member> members = List.of(member("m-7", "7", false), member("m-3", "3", false));

        // when
        final Decision decision = OneActiveAssignor.decide(members, PARTITIONS);

        // then: nothing is owned any more, so nothing is withheld
        assertThat(decision.chosen()).isEqualTo("m-3");
        assertThat(decision.assignment().get("m-3")).isEqualTo(PARTITIONS);
        assertThat(decision.withheld()).isEmpty();
    }

    @Test
    void shouldFollowTheOtherRoleWhenTheOwnerHereDoesNotHoldIt() {
        // given: the roles are split: "1" owns this group, "0" holds the other group's partitions
        final List<Member> members = List.of(member("m-1", "1", false, PARTITIONS), member("m-0", "0", true));

        // when
        final Decision decision = OneActiveAssignor.decide(members, PARTITIONS);

        // then: "0" is chosen, but the partitions still owned by "1" go only after "1" has revoked them
        assertThat(decision.chosen()).isEqualTo("m-0");
        assertThat(decision.rule()).isEqualTo(Rule.JOIN_THE_OTHER_ROLE);
        assertThat(decision.assignment()).containsEntry("m-0", List.of()).containsEntry("m-1", List.of());
        assertThat(decision.withheld()).isEqualTo(PARTITIONS);

        // when: the next rebalance, "1" has revoked them
        final Decision next = OneActiveAssignor.decide(List.of(member("m-1", "1", false),
                member("m-0", "0", true)), PARTITIONS);

        // then
        assertThat(next.chosen()).isEqualTo("m-0");
        assertThat(next.assignment().get("m-0")).isEqualTo(PARTITIONS);
    }

    @Test
    void shouldPickTheSameInstanceInBothGroupsWhenTheRolesAreSplit() {
        // given: instance "a" owns the submitter group, instance "b" the reconciler group
        final List<TopicPartition> submitter = List.of(new TopicPartition("admitted", 0));
        final List<TopicPartition> reconciler = List.of(new TopicPartition("reconcile", 0));
        final List<Member> submitterGroup = List.of(
                new Member("s-a", claim("a", false), Set.of("admitted"), submitter, 3),
                new Member("s-b", claim("b", true), Set.of("admitted"), List.of(), 3));
        final List<Member> reconcilerGroup = List.of(
                new Member("r-a", claim("a", true), Set.of("reconcile"), List.of(), 4),
                new Member("r-b", claim("b", false), Set.of("reconcile"), reconciler, 4));

        // when
        final Decision inSubmitter = OneActiveAssignor.decide(submitterGroup, submitter);
        final Decision inReconciler = OneActiveAssignor.decide(reconcilerGroup, reconciler);

        // then: both choose instance "a"; the reconciler group moves its partition over in two steps
        assertThat(inSubmitter.chosen()).isEqualTo("s-a");
        assertThat(inSubmitter.assignment().get("s-a")).isEqualTo(submitter);
        assertThat(inReconciler.chosen()).isEqualTo("r-a");
        assertThat(inReconciler.withheld()).isEqualTo(reconciler);
    }

    @Test
    void shouldOrderWholeNumbersNumericallyAndBeforeTextWhenComparingInstanceIds() {
        // given
        final List<Member> members = new ArrayList<>(List.of(member("m1", "10", false), member("m2", "9", false),
                member("m3", "a", false), member("m4", "007", false), unreadable("m5")));

        // when / then: 007 < 9 < 10 < a < no claim
        final List<String> order = members.stream().sorted(OneActiveAssignor.LOWEST_FIRST).map(Member::memberId)
                .toList();
        assertThat(order).containsExactly("m4", "m2", "m1", "m3", "m5");
        assertThat(OneActiveAssignor.decide(members, PARTITIONS).chosen()).isEqualTo("m4");
    }

    @Test
    void shouldChooseAMemberWithoutAReadableClaimOnlyWhenItIsAlone() {
        // given
        final Decision alone = OneActiveAssignor.decide(List.of(unreadable("m-x")), PARTITIONS);
        final Decision withOthers = OneActiveAssignor.decide(List.of(unreadable("m-x"), member("m-z", "z", false)),
                PARTITIONS);

        // then
        assertThat(alone.assignment().get("m-x")).isEqualTo(PARTITIONS);
        assertThat(withOthers.chosen()).isEqualTo("m-z");
    }

    @Test
    void shouldCountTheClaimOfTheHigherGenerationWhenTwoMembersClaimAPartition() {
        // given: "old" missed a rebalance and still claims partition 0 from generation 2
        final List<Member> members = List.of(
                new Member("m-old", claim("0", true), Set.of(TOPIC), List.of(tp(0)), 2),
                new Member("m-new", claim("1", true), Set.of(TOPIC), PARTITIONS, 5));

        // when
        final Decision decision = OneActiveAssignor.decide(members, PARTITIONS);

        // then: the owner of every partition is "new", which holds both roles
        assertThat(decision.chosen()).isEqualTo("m-new");
        assertThat(decision.assignment().get("m-new")).isEqualTo(PARTITIONS);
        assertThat(decision.assignment().get("m-old")).isEmpty();
    }

    @Test
    void shouldAssignOnlyTopicsTheChosenMemberSubscribesToWhenSubscriptionsDiffer() {
        // given
        final List<TopicPartition> partitions = List.of(tp(0), new TopicPartition("other", 0));

        // when
        final Decision decision = OneActiveAssignor.decide(List.of(member("m-0", "0", false)), partitions);

        // then
        assertThat(decision.assignment().get("m-0")).containsExactly(tp(0));
    }

    @Test
    void shouldAssignNothingWhenTheGroupIsEmpty() {
        // when
        final Decision decision = OneActiveAssignor.decide(List.of(), PARTITIONS);

        // then
        assertThat(decision.rule()).isEqualTo(Rule.NO_MEMBERS);
        assertThat(decision.assignment()).isEmpty();
    }

    @Test
    void shouldReadBackTheClaimWhenEncoded() {
        // given
        final Claim claim = new Claim("gateway-ü-3", true);

        // when / then
        assertThat(Claim.decode(claim.encode())).contains(claim);
        assertThat(Claim.decode(new Claim("0", false).encode())).contains(new Claim("0", false));
    }

    @Test
    void shouldReadNoClaimWhenTheUserDataIsMissingOrGarbled() {
        assertThat(Claim.decode(null)).isEmpty();
        assertThat(Claim.decode(ByteBuffer.wrap(new byte[] {1}))).isEmpty();
        assertThat(Claim.decode(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 0, 1, 'x'}))).isEmpty();
        assertThat(Claim.decode(ByteBuffer.allocate(6).put((byte) 1).put((byte) 0).putInt(99).flip())).isEmpty();
        assertThat(Claim.decode(ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)))).isEmpty();
    }

    @Test
    void shouldReadTheKnownFieldsWhenALaterVersionAppendsMore() {
        // given: version 2 with an extra trailing field
        final byte[] id = "4".getBytes(StandardCharsets.UTF_8);
        final ByteBuffer v2 = ByteBuffer.allocate(2 + 4 + id.length + 8).put((byte) 2).put((byte) 1).putInt(id.length)
                .put(id).putLong(42L).flip();

        // when / then
        assertThat(Claim.decode(v2)).contains(new Claim("4", true));
    }

    @Test
    void shouldAssignThroughKafkasInterfaceWhenSubscriptionsCarryClaims() {
        // given: an assignor configured as the gateway does, and the leader's view of the group
        final OneActiveAssignor assignor = new OneActiveAssignor();
        assignor.configure(Map.of(OneActiveAssignor.CLAIMS_CONFIG,
                (OneActiveAssignor.Claims) () -> new Claim("1", false)));
        final Node node = new Node(0, "localhost", 9092);
        final Cluster cluster = new Cluster("c", List.of(node), List.of(
                new PartitionInfo(TOPIC, 0, node, new Node[0], new Node[0]),
                new PartitionInfo(TOPIC, 1, node, new Node[0], new Node[0])), Set.of(), Set.of());
        final Map<String, Subscription> subscriptions = new HashMap<>();
        subscriptions.put("member-of-1", new Subscription(List.of(TOPIC), assignor.subscriptionUserData(Set.of(TOPIC)),
                List.of(), 7, Optional.empty()));
        subscriptions.put("member-of-0", new Subscription(List.of(TOPIC), new Claim("0", false).encode(), List.of(),
                7, Optional.empty()));

        // when
        final GroupAssignment assignment = assignor.assign(cluster, new GroupSubscription(subscriptions));

        // then
        assertThat(assignor.name()).isEqualTo(OneActiveAssignor.NAME);
        assertThat(assignor.supportedProtocols()).containsExactly(RebalanceProtocol.COOPERATIVE);
        assertThat(assignment.groupAssignment().get("member-of-0").partitions())
                .containsExactly(tp(0), tp(1));
        assertThat(assignment.groupAssignment().get("member-of-1").partitions()).isEmpty();
    }

    @Test
    void shouldTellEveryMemberWhoIsInTheGroupWhenAssigning() {
        // given: a member's assignor and its claims object, which records what it is told
        final List<Optional<Set<String>>> told = new ArrayList<>();
        final OneActiveAssignor assignor = new OneActiveAssignor();
        assignor.configure(Map.of(OneActiveAssignor.CLAIMS_CONFIG, new OneActiveAssignor.Claims() {
            @Override
            public Claim current() {
                return new Claim("1", false);
            }

            @Override
            public void assigned(final Optional<Set<String>> members) {
                told.add(members);
            }
        }));
        final Map<String, Subscription> subscriptions = new HashMap<>();
        subscriptions.put("member-of-1", new Subscription(List.of(TOPIC), assignor.subscriptionUserData(Set.of(TOPIC)),
                List.of(), 7, Optional.empty()));
        subscriptions.put("member-of-10", new Subscription(List.of(TOPIC), new Claim("10", true).encode(),
                List.of(tp(0)), 7, Optional.empty()));

        // when
        final GroupAssignment assignment = assignor.assign(cluster(), new GroupSubscription(subscriptions));
        assignor.onAssignment(assignment.groupAssignment().get("member-of-1"), null);

        // then: both assignments carry both instances
        assertThat(assignment.groupAssignment().values()).allSatisfy(a ->
                assertThat(OneActiveAssignor.decodeMembers(a.userData())).contains(Set.of("1", "10")));
        assertThat(told).containsExactly(Optional.of(Set.of("1", "10")));
    }

    @Test
    void shouldSayNothingOfTheMembersWhenAClaimDoesNotRead() {
        // given: a member of another version (its user data is not a claim)
        final OneActiveAssignor assignor = new OneActiveAssignor();
        assignor.configure(Map.of(OneActiveAssignor.CLAIMS_CONFIG,
                (OneActiveAssignor.Claims) () -> new Claim("1", false)));
        final Map<String, Subscription> subscriptions = new HashMap<>();
        subscriptions.put("member-of-1", new Subscription(List.of(TOPIC), assignor.subscriptionUserData(Set.of(TOPIC)),
                List.of(), 7, Optional.empty()));
        subscriptions.put("member-unknown", new Subscription(List.of(TOPIC),
                ByteBuffer.wrap("v0".getBytes(StandardCharsets.UTF_8)), List.of(), 7, Optional.empty()));

        // when
        final GroupAssignment assignment = assignor.assign(cluster(), new GroupSubscription(subscriptions));

        // then: "not in the group" could be wrong about that member, so nobody is told anything
        assertThat(assignment.groupAssignment().values()).allSatisfy(a ->
                assertThat(OneActiveAssignor.decodeMembers(a.userData())).isEmpty());
    }

    @Test
    void shouldReadBackTheMembersWhenEncoded() {
        // given
        final ByteBuffer encoded = OneActiveAssignor.encodeMembers(List.of("0", "gateway-1", "é;="));

        // when / then
        assertThat(OneActiveAssignor.decodeMembers(encoded)).contains(Set.of("0", "gateway-1", "é;="));
        assertThat(OneActiveAssignor.decodeMembers(null)).isEmpty();
        assertThat(OneActiveAssignor.decodeMembers(ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 2, 0, 0, 0, 9})))
                .as("truncated").isEmpty();
        assertThat(OneActiveAssignor.decodeMembers(ByteBuffer.wrap(new byte[] {9, 0, 0, 0, 0})))
                .as("another version").isEmpty();
    }

    private static Cluster cluster() {
        final Node node = new Node(0, "localhost", 9092);
        return new Cluster("c", List.of(node), List.of(
                new PartitionInfo(TOPIC, 0, node, new Node[0], new Node[0]),
                new PartitionInfo(TOPIC, 1, node, new Node[0], new Node[0])), Set.of(), Set.of());
    }

    @Test
    void shouldRefuseToStartWhenNoClaimsAreConfigured() {
        assertThatThrownBy(() -> new OneActiveAssignor().configure(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(OneActiveAssignor.CLAIMS_CONFIG);
    }

    /**
     * Whatever the group: exactly one member gets partitions; it gets every partition nobody else owns and none
     * that another member owns; a member holding both roles and owning partitions keeps them; the order of the
     * subscriptions does not matter.
     */
    @Property(tries = 500)
    void shouldGiveOneMemberEverythingUnownedAndNothingOwnedByOthersWhateverTheGroup(
            @ForAll @IntRange(min = 1, max = 6) final int size, @ForAll @IntRange(min = 1, max = 5) final int count,
            @ForAll final long seed) {
        // given: random members, claims, ownership (a partition has at most one owner) and generations
        final Random random = new Random(seed);
        final List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            partitions.add(tp(p));
        }
        final List<List<TopicPartition>> owned = new ArrayList<>();
        for (int m = 0; m < size; m++) {
            owned.add(new ArrayList<>());
        }
        for (final TopicPartition partition : partitions) {
            if (random.nextBoolean()) {
                owned.get(random.nextInt(size)).add(partition);
            }
        }
        final List<Member> members = new ArrayList<>();
        for (int m = 0; m < size; m++) {
            final Optional<Claim> claim = random.nextInt(8) == 0 ? Optional.empty()
                    : Optional.of(new Claim(Integer.toString(random.nextInt(4)), random.nextBoolean()));
            members.add(new Member("member-" + m, claim, Set.of(TOPIC), owned.get(m), random.nextInt(3)));
        }

        // when
        final Decision decision = OneActiveAssignor.decide(members, partitions);
        final List<Member> shuffled = new ArrayList<>(members);
        Collections.shuffle(shuffled, random);
        final Decision again = OneActiveAssignor.decide(shuffled, partitions);

        // then
        assertThat(again.chosen()).isEqualTo(decision.chosen());
        assertThat(again.assignment()).isEqualTo(decision.assignment());
        final Set<TopicPartition> ownedByOthers = new HashSet<>();
        members.stream().filter(m -> !m.memberId().equals(decision.chosen()))
                .forEach(m -> ownedByOthers.addAll(m.owned()));
        decision.assignment().forEach((member, assigned) -> {
            if (member.equals(decision.chosen())) {
                assertThat(assigned).noneMatch(ownedByOthers::contains);
                assertThat(new HashSet<>(assigned)).containsAll(partitions.stream()
                        .filter(p -> !ownedByOthers.contains(p)).toList());
            } else {
                assertThat(assigned).as("partitions of %s", member).isEmpty();
            }
        });
        assertThat(decision.withheld()).containsExactlyInAnyOrderElementsOf(ownedByOthers);
        members.stream().filter(m -> !m.owned().isEmpty() && m.claim().map(Claim::holdsOtherRole).orElse(false))
                .min(OneActiveAssignor.LOWEST_FIRST)
                .ifPresent(holder -> assertThat(decision.chosen()).isEqualTo(holder.memberId()));
    }

    private static TopicPartition tp(final int partition) {
        return new TopicPartition(TOPIC, partition);
    }

    private static Optional<Claim> claim(final String instance, final boolean holdsOther) {
        return Optional.of(new Claim(instance, holdsOther));
    }

    private static Member member(final String memberId, final String instance, final boolean holdsOther) {
        return member(memberId, instance, holdsOther, List.of());
    }

    private static Member member(final String memberId, final String instance, final boolean holdsOther,
                                 final List<TopicPartition> owned) {
        return new Member(memberId, claim(instance, holdsOther), Set.of(TOPIC), owned, 1);
    }

    private static Member unreadable(final String memberId) {
        return new Member(memberId, Optional.empty(), Set.of(TOPIC), List.of(), 1);
    }
}
