package io.stemflow.pipeline.query;

/** HTTP headers of the query API. */
public final class QueryHeaders {

    /**
     * On every answer read from a store: the instance ({@code host:port}, its {@code application.server})
     * whose local store answered. Differs from the instance asked when the request was forwarded.
     */
    public static final String SERVED_BY = "X-Stemflow-Served-By";

    /**
     * On a request one instance forwards to another: the forwarding instance. A request carrying it
     * is answered from the local store or refused with 503, never forwarded again, so two instances
     * that disagree about ownership during a rebalance cannot bounce a request between them.
     */
    public static final String FORWARDED_BY = "X-Stemflow-Forwarded-By";

    public static final String RETRY_AFTER = "Retry-After";

    private QueryHeaders() {
    }
}
