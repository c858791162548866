package io.stemflow.schemas;

import io.stemflow.avro.AccountShare;
import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemLinks;
import io.stemflow.avro.StemReady;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.SchemaRegistryClient;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The catalogue of stemflow's topics with their serdes, built once at start-up.
 *
 * <p>Keys are plain UTF-8 strings (requestId or accountId), values Avro in the Confluent wire
 * format. Keys are deliberately not Avro: the key bytes decide the partition, and a
 * Confluent-framed key embeds a registry-assigned schema id, so the same requestId could land
 * in another partition in another environment or after a registry migration, breaking
 * co-partitioning; plain strings also let any client (kcat, other languages) produce keys
 * that hash exactly like ours.
 */
public record Topics(
        Topic<String, SeparationRequest> requests,
        Topic<String, SeparationRequest> requestsBulk,
        Topic<String, AdmittedJob> admitted,
        Topic<String, SubmissionOutcome> submissions,
        Topic<String, SeparationResult> results,
        Topic<String, StemReady> stems,
        Topic<String, StemArchived> archived,
        Topic<String, LinkRefreshRequest> linkRefresh,
        Topic<String, StemLinks> links,
        Topic<String, BatchManifest> manifests,
        Topic<String, JobStatus> status,
        Topic<String, ReconcileRequest> reconcile,
        Topic<String, DeadLetter> deadLetters,
        Topic<String, CreditGrant> creditGrants,
        Topic<String, LedgerEntry> creditLedger,
        Topic<String, CreditBalance> creditBalances,
        Topic<String, ControlCommand> control,
        Topic<String, AccountShare> accountShares) {

    /** Builds the catalogue; each value serde comes from {@code serdes} (one registry client for all). */
    public static Topics create(final SerdeFactory serdes) {
        Contract.trustGeneratedClasses();
        final Serde<String> key = Serdes.String();
        return new Topics(
                new Topic<>(TopicNames.REQUESTS, key, serdes.valueSerde(SeparationRequest.class)),
                new Topic<>(TopicNames.REQUESTS_BULK, key, serdes.valueSerde(SeparationRequest.class)),
                new Topic<>(TopicNames.ADMITTED, key, serdes.valueSerde(AdmittedJob.class)),
                new Topic<>(TopicNames.SUBMISSIONS, key, serdes.valueSerde(SubmissionOutcome.class)),
                new Topic<>(TopicNames.RESULTS, key, serdes.valueSerde(SeparationResult.class)),
                new Topic<>(TopicNames.STEMS, key, serdes.valueSerde(StemReady.class)),
                new Topic<>(TopicNames.ARCHIVED, key, serdes.valueSerde(StemArchived.class)),
                new Topic<>(TopicNames.LINK_REFRESH, key, serdes.valueSerde(LinkRefreshRequest.class)),
                new Topic<>(TopicNames.LINKS, key, serdes.valueSerde(StemLinks.class)),
                new Topic<>(TopicNames.MANIFESTS, key, serdes.valueSerde(BatchManifest.class)),
                new Topic<>(TopicNames.STATUS, key, serdes.valueSerde(JobStatus.class)),
                new Topic<>(TopicNames.RECONCILE, key, serdes.valueSerde(ReconcileRequest.class)),
                new Topic<>(TopicNames.DLQ, key, serdes.valueSerde(DeadLetter.class)),
                new Topic<>(TopicNames.CREDIT_GRANTS, key, serdes.valueSerde(CreditGrant.class)),
                new Topic<>(TopicNames.CREDIT_LEDGER, key, serdes.valueSerde(LedgerEntry.class)),
                new Topic<>(TopicNames.CREDIT_BALANCES, key, serdes.valueSerde(CreditBalance.class)),
                new Topic<>(TopicNames.CONTROL, key, serdes.valueSerde(ControlCommand.class)),
                new Topic<>(TopicNames.ACCOUNT_SHARES, key, serdes.valueSerde(AccountShare.class)));
    }

    /** Builds the catalogue with Avro serdes sharing one registry client. */
    public static Topics create(final SchemaRegistryClient registry, final Map<String, ?> serdeConfig) {
        return create(new SerdeFactory() {
            @Override
            public <T extends SpecificRecord> Serde<T> valueSerde(final Class<T> type) {
                return AvroSerdes.specific(type, registry, serdeConfig, false);
            }
        });
    }

    /** Every topic, in the order of {@link TopicNames#ALL}. */
    public List<Topic<String, ?>> all() {
        return List.of(requests, requestsBulk, admitted, submissions, results, stems, archived, linkRefresh, links,
                manifests, status, reconcile, deadLetters, creditGrants, creditLedger, creditBalances, control,
                accountShares);
    }
}
