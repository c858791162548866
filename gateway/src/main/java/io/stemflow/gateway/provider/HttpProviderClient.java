package io.stemflow.gateway.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemflow.service.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link ProviderClient} over the JDK {@link HttpClient}: {@code Authorization: Bearer <key>}, a timeout per
 * request, and answers read with the code either in the body of an HTTP 200 or in the HTTP status.
 *
 * <p>The key is asked from its supplier on every call, so a key file rotated on disk is picked up without a
 * restart. Neither the key nor the callback token ever appears in a reply message.
 */
public final class HttpProviderClient implements ProviderClient {

    private final String base;
    private final Supplier<Secret> apiKey;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final ProviderJson json;

    public HttpProviderClient(final URI baseUrl, final Supplier<Secret> apiKey, final Duration requestTimeout,
                              final Duration connectTimeout) {
        this(baseUrl, apiKey, requestTimeout, HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build(), new ObjectMapper());
    }

    HttpProviderClient(final URI baseUrl, final Supplier<Secret> apiKey, final Duration requestTimeout,
                       final HttpClient http, final ObjectMapper mapper) {
        this.base = Objects.requireNonNull(baseUrl, "baseUrl").toString().replaceAll("/+$", "");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.http = Objects.requireNonNull(http, "http");
        this.mapper = mapper;
        this.json = new ProviderJson(mapper);
    }

    @Override
    public ProviderReply<String> generate(final GenerateCall call) {
        final ObjectNode body = mapper.createObjectNode()
                .put("taskId", call.taskId())
                .put("audioId", call.audioId())
                .put("type", call.type())
                .put("callBackUrl", call.callBackUrl().toString());
        final byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a generate body", e);
        }
        final HttpRequest request = request(Endpoint.GENERATE, "")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        return send(Endpoint.GENERATE, request, ProviderJson::taskId);
    }

    @Override
    public ProviderReply<RecordInfo> recordInfo(final String providerTaskId) {
        Objects.requireNonNull(providerTaskId, "providerTaskId");
        final HttpRequest request = request(Endpoint.RECORD_INFO,
                "?taskId=" + URLEncoder.encode(providerTaskId, StandardCharsets.UTF_8)).GET().build();
        return send(Endpoint.RECORD_INFO, request, ProviderJson::recordInfo);
    }

    @Override
    public ProviderReply<Long> credit() {
        return send(Endpoint.CREDIT, request(Endpoint.CREDIT, "").GET().build(), ProviderJson::credits);
    }

    private HttpRequest.Builder request(final Endpoint endpoint, final String query) {
        return HttpRequest.newBuilder(URI.create(base + endpoint.path() + query))
                .timeout(requestTimeout)
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + apiKey.get().reveal());
    }

    private <T> ProviderReply<T> send(final Endpoint endpoint, final HttpRequest request,
                                      final Function<JsonNode, Optional<T>> data) {
        final HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            return new ProviderReply.Unreachable<>(ProviderReply.Failure.CONNECTION,
                    "connect timeout calling " + endpoint.label() + " at " + base);
        } catch (HttpTimeoutException e) {
            return new ProviderReply.Unreachable<>(ProviderReply.Failure.TIMEOUT,
                    "no answer within " + requestTimeout.toMillis() + " ms calling " + endpoint.label());
        } catch (IOException e) {
            return new ProviderReply.Unreachable<>(ProviderReply.Failure.CONNECTION,
                    "connection failed calling " + endpoint.label() + " at " + base + ": "
                            + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProviderReply.Unreachable<>(ProviderReply.Failure.CONNECTION,
                    "interrupted calling " + endpoint.label());
        }
        return json.reply(endpoint, response.statusCode(), response.body(), data);
    }
}
