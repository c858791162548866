package io.stemflow.gateway;

import io.stemflow.service.DurationText;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How long an instance that takes the active role over holds every provider call, decided from what the previous
 * holder left behind: the metadata of the submitter group's committed offsets (a {@link Marker}) and which
 * instances are still members of the group. A pure function ({@link #decide}) of that evidence.
 *
 * <p>The question is when the previous holder's last call can have reached the provider. The configured hold
 * ({@code STEMFLOW_GATEWAY_TAKEOVER_HOLD}, default window + margin: {@code full} here) is the answer when nothing
 * is known: it is held in full unless the evidence proves a shorter hold enough.
 *
 * <p>What the holders write (the submitter loop, in the transactions that carry its offsets):
 * <ul>
 *   <li><b>ACTIVE</b>: an instance that takes the role over commits {@code state=active} with its instance id, its
 *       session timeout and heartbeat interval on EVERY partition of the group, and makes its first call only
 *       once that commit has succeeded; its regular commits carry the same marker. So the marker on the
 *       committed offsets always names the last holder that may have called: a holder that could not write its
 *       marker never called.</li>
 *   <li><b>HANDOVER</b>: a holder that gives the partitions up cleanly (rebalance or shutdown) first closes its
 *       gate (no call of either loop is admitted from then on), waits until no call is out, then measures
 *       {@code quiet}: the time since the end of the last call it made or inherited (see below), on its own
 *       monotonic clock; then commits {@code state=handover;quietMs=...} on every partition, in one transaction.
 *       When a call is still out at the grace deadline it writes no handover marker: its ACTIVE marker stays.</li>
 * </ul>
 *
 * <p>The rule, for a takeover of a group with committed offsets whose every committed partition carries the same
 * readable marker of a previous holder {@code P}:
 * <ul>
 *   <li><b>HANDOVER</b>, when P wrote {@code handover}: hold {@code max(0, full - quiet)}. Sound without any
 *       assumption on wall clocks: P measured {@code quiet} before committing it and made no call afterwards;
 *       this instance read it after the commit and starts the hold later still, so at least {@code quiet} has
 *       passed since P's last call ended. Only a duration crosses between the processes, never a time of day
 *       (two monotonic clocks agree on the length of a second to a few parts per million). The time the
 *       rebalance took between P's commit and this read is not subtracted: the hold is longer than needed by
 *       that much, never shorter.</li>
 *   <li><b>SESSION_EXPIRED</b>, when P is another instance and is not a member of the group in the generation
 *       that gave this instance the partitions: hold {@code max(0, full - (session - heartbeat))}, with P's own
 *       session timeout and heartbeat interval from its marker. The gateway's members are static: they never
 *       send a LeaveGroup, so P left the group only by the coordinator expiring its session, a session timeout
 *       after its last heartbeat reached the coordinator. P sent heartbeats a heartbeat interval apart while it
 *       could call (killed or its machine gone, both end together; stopped cleanly, its calls end first), so its
 *       last call ended at most one heartbeat interval after its last heartbeat, at least
 *       {@code session - heartbeat} before the eviction, and the eviction came before this read. With the default
 *       settings (session 15 s, window 10 s) no hold.</li>
 *   <li>when both apply (P stopped cleanly, then its session expired), the shorter hold; otherwise <b>APPLIED</b>,
 *       the full hold: P is still a member and did not hand over (its final commit failed, or calls were still
 *       out), P is this very instance and did not hand over (a restart with the same instance id gets the
 *       partitions back at once, before any session expires, and the previous process may have called just
 *       now), the members are not known (a leader of an older version), or the markers are missing, unreadable or
 *       disagree.</li>
 * </ul>
 * A holder that hands over passes on what it inherited: the hold it applied at its own takeover counts as a call
 * that ended {@code full - hold} before that takeover, so a handover during a hold still owes the rest of it.
 *
 * <p>Assumptions, beyond Kafka's group protocol:
 * <ul>
 *   <li>nobody removes a gateway's static member from the group by hand ({@code kafka-consumer-groups
 *       --delete-members}, {@code Admin.removeMembersFromConsumerGroup}): that evicts a live holder at once, and
 *       its successor would take it for a session expiry;</li>
 *   <li>a holder whose heartbeats stop stops calling within a heartbeat interval: true of a killed process or a
 *       lost machine, not of a zombie (a process cut off from Kafka but not from the provider, or a heartbeat
 *       thread starved while the calls go on), which no hold can cover (see gateway/README.md);</li>
 *   <li>every instance of one deployment runs this version: an older holder writes no marker, which reads as
 *       unknown (the full hold), but an older successor ignores the markers and holds in full anyway.</li>
 * </ul>
 */
final class TakeoverHold {

    /** The first field of every marker: the format and its version. */
    static final String MARKER_FORMAT = "stemflow-gateway/1";

    /** What the previous holder wrote. */
    enum State { ACTIVE, HANDOVER }

    /**
     * The metadata the submitter loop commits with its offsets.
     *
     * @param session   the writer's session timeout
     * @param heartbeat the writer's heartbeat interval
     * @param quiet     HANDOVER: at the time of writing, how long ago the writer's last call (made or inherited)
     *                  ended; zero for ACTIVE
     */
    record Marker(State state, String instanceId, Duration session, Duration heartbeat, Duration quiet) {

        Marker {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(session, "session");
            Objects.requireNonNull(heartbeat, "heartbeat");
            Objects.requireNonNull(quiet, "quiet");
        }

        /** {@code stemflow-gateway/1;state=handover;instance=0;sessionMs=6000;heartbeatMs=1000;quietMs=412}. */
        String encode() {
            final StringBuilder text = new StringBuilder(MARKER_FORMAT)
                    .append(";state=").append(state.name().toLowerCase(Locale.ROOT))
                    .append(";instance=").append(URLEncoder.encode(instanceId, StandardCharsets.UTF_8))
                    .append(";sessionMs=").append(session.toMillis())
                    .append(";heartbeatMs=").append(heartbeat.toMillis());
            if (state == State.HANDOVER) {
                text.append(";quietMs=").append(quiet.toMillis());
            }
            return text.toString();
        }

        /** Reads a marker; empty when the text is not one (none, another format, a field missing or malformed). */
        static Optional<Marker> decode(final String metadata) {
            if (metadata == null || !metadata.startsWith(MARKER_FORMAT + ";")) {
                return Optional.empty();
            }
            final Map<String, String> fields = new HashMap<>();
            for (final String field : metadata.substring(MARKER_FORMAT.length() + 1).split(";")) {
                final int eq = field.indexOf('=');
                if (eq > 0) {
                    fields.put(field.substring(0, eq), field.substring(eq + 1));
                }
            }
            try {
                final State state = State.valueOf(fields.getOrDefault("state", "").toUpperCase(Locale.ROOT));
                final String instance = URLDecoder.decode(Objects.requireNonNull(fields.get("instance")),
                        StandardCharsets.UTF_8);
                final long session = Long.parseLong(fields.get("sessionMs"));
                final long heartbeat = Long.parseLong(fields.get("heartbeatMs"));
                final long quiet = state == State.HANDOVER ? Long.parseLong(fields.get("quietMs")) : 0;
                if (heartbeat < 0 || session < heartbeat || quiet < 0) {
                    return Optional.empty();
                }
                return Optional.of(new Marker(state, instance, Duration.ofMillis(session),
                        Duration.ofMillis(heartbeat), Duration.ofMillis(quiet)));
            } catch (IllegalArgumentException | NullPointerException e) { // NumberFormatException included
                return Optional.empty();
            }
        }
    }

    /**
     * What a takeover found.
     *
     * @param committed whether the group has a committed offset on any of the partitions
     * @param previous  the marker every committed partition carries; empty when none, unreadable, or they differ
     * @param members   the instance ids in the group in the generation that gave the partitions; empty when the
     *                  leader did not say
     */
    record Evidence(boolean committed, Optional<Marker> previous, Optional<Set<String>> members) {

        Evidence {
            Objects.requireNonNull(previous, "previous");
            Objects.requireNonNull(members, "members");
            members = members.map(Set::copyOf);
        }

        /** From the group's committed offsets of the partitions taken over (null: none committed there). */
        static Evidence of(final Map<TopicPartition, OffsetAndMetadata> committed,
                           final Optional<Set<String>> members) {
            final Set<String> texts = new HashSet<>();
            for (final OffsetAndMetadata offset : committed.values()) {
                if (offset != null) {
                    texts.add(offset.metadata());
                }
            }
            final Optional<Marker> previous = texts.size() == 1
                    ? Marker.decode(texts.iterator().next()) : Optional.empty();
            return new Evidence(!texts.isEmpty(), previous, members);
        }

        /** The committed offsets could not be read: as if someone had committed, with nothing known. */
        static Evidence unknown() {
            return new Evidence(true, Optional.empty(), Optional.empty());
        }
    }

    /** The hold to apply, which rule gave it, and why (for the INFO line). */
    record Decision(ActiveRole.Hold kind, Duration hold, String reason) {
    }

    private final Duration full;
    private final String instanceId;
    private final Duration session;
    private final Duration heartbeat;

    /**
     * @param full      the configured takeover hold, the longest; zero disables every hold
     * @param session   this instance's session timeout, written in its markers
     * @param heartbeat this instance's heartbeat interval, written in its markers
     */
    TakeoverHold(final Duration full, final String instanceId, final Duration session, final Duration heartbeat) {
        this.full = Objects.requireNonNull(full, "full");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.session = Objects.requireNonNull(session, "session");
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    }

    Duration full() {
        return full;
    }

    /** The marker this instance commits from its takeover on. */
    String activeMarker() {
        return new Marker(State.ACTIVE, instanceId, session, heartbeat, Duration.ZERO).encode();
    }

    /** The marker this instance commits when it hands over, {@code quiet} after its last call ended. */
    String handoverMarker(final Duration quiet) {
        return new Marker(State.HANDOVER, instanceId, session, heartbeat,
                quiet.isNegative() ? Duration.ZERO : quiet).encode();
    }

    /** The hold for a takeover that found {@code evidence}; see the class comment for the rules. */
    Decision decide(final Evidence evidence) {
        if (full.isZero()) {
            return new Decision(ActiveRole.Hold.DISABLED, Duration.ZERO, "takeover hold disabled");
        }
        if (!evidence.committed()) {
            return new Decision(ActiveRole.Hold.FRESH_GROUP, Duration.ZERO,
                    "the group never committed an offset (fresh deployment)");
        }
        if (evidence.previous().isEmpty()) {
            return applied("the committed offsets carry no readable takeover marker (an older gateway, or the"
                    + " offsets could not be read)");
        }
        final Marker previous = evidence.previous().get();
        Decision best = null;
        if (previous.state() == State.HANDOVER) {
            final Duration hold = positive(full.minus(previous.quiet()));
            best = new Decision(ActiveRole.Hold.HANDOVER, hold, "instance " + previous.instanceId()
                    + " handed over, its last call ended at least " + DurationText.format(previous.quiet())
                    + " before");
        }
        final boolean other = !previous.instanceId().equals(instanceId);
        if (other && evidence.members().isPresent() && !evidence.members().get().contains(previous.instanceId())) {
            final Duration silent = previous.session().minus(previous.heartbeat());
            final Duration hold = positive(full.minus(silent));
            if (best == null || hold.compareTo(best.hold()) < 0) {
                best = new Decision(ActiveRole.Hold.SESSION_EXPIRED, hold, "instance " + previous.instanceId()
                        + " left the group by its session expiring (" + DurationText.format(previous.session())
                        + ", heartbeats " + DurationText.format(previous.heartbeat()) + " apart), its last call"
                        + " ended at least " + DurationText.format(silent) + " before");
            }
        }
        if (best != null) {
            return best;
        }
        if (!other) {
            return applied("this instance held the role in an earlier process, which did not hand over (a restart"
                    + " gets the partitions back at once: it may have called just now)");
        }
        return applied(evidence.members().isEmpty()
                ? "instance " + previous.instanceId() + " held the role and did not hand over; the group's members"
                        + " are not known"
                : "instance " + previous.instanceId() + " held the role, did not hand over and is still in the"
                        + " group (it may have called just now)");
    }

    private Decision applied(final String reason) {
        return new Decision(ActiveRole.Hold.APPLIED, full, reason);
    }

    private static Duration positive(final Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
