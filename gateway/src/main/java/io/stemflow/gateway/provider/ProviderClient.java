package io.stemflow.gateway.provider;

/**
 * The provider's HTTP API as result values. Implementations never throw for anything the provider or the network
 * does: every answer, error code, timeout and connection failure comes back as a {@link ProviderReply}. Calls are
 * blocking and thread-safe. Rate limiting is not the client's business (the gateway's gate does it).
 */
public interface ProviderClient {

    /** Creates a separation task; {@link ProviderReply.Ok} carries the provider's new task id. */
    ProviderReply<String> generate(GenerateCall call);

    /** Polls a task by the provider's task id. */
    ProviderReply<RecordInfo> recordInfo(String providerTaskId);

    /** The key's remaining credits. */
    ProviderReply<Long> credit();
}
