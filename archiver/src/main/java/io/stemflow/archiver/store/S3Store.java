package io.stemflow.archiver.store;

import io.stemflow.service.Secret;
import io.stemflow.service.SecretFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An {@link ArchiveStore} in a bucket of AWS S3 or of any S3-compatible store (MinIO, Ceph, S3Proxy), through the
 * AWS SDK's synchronous client over the JDK's {@code HttpURLConnection}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>An object is stored under {@code prefix + key} with one PutObject, which S3 applies whole or not at all;
 *       the request carries the file's {@code Content-MD5}, so the store refuses bytes that changed on the way
 *       (or in the file while it was read), and {@link #put} refuses a file whose size or SHA-256 is not the
 *       metadata's.</li>
 *   <li>The metadata travels as the object's {@code Content-Type} and user metadata ({@code x-amz-meta-request-id},
 *       {@code -account-id}, {@code -batch-id} only with a batch, {@code -stem}, {@code -sha256}, {@code -size}),
 *       values encoded by {@link S3UserMetadata}.</li>
 *   <li>{@link #find} returns an object only when its user metadata is complete, decodes and its size is the
 *       object's length. An object without it (not written by stemflow, or written only in part by some other
 *       tool) is reported as not found rather than as an error: the archiver then puts the stem again, which
 *       replaces it.</li>
 *   <li>The SDK's default flexible checksums (CRC trailers, {@code x-amz-checksum-*}) are sent and checked only
 *       where an operation requires them, since several S3-compatible stores reject them;
 *       {@code Content-MD5} and the SHA-256 check of {@link #copyTo} do that work here.</li>
 *   <li>Failures are {@link IOException}s that name the bucket and key; credentials are never in a message or a
 *       log line.</li>
 * </ul>
 *
 * <p>A HEAD request has no error body, so a missing bucket also looks like a missing key to {@link #find}; the
 * following {@link #put} then fails and names the bucket. AWS answers a missing key with 403, not 404, to a
 * principal without {@code s3:ListBucket} on the bucket: {@link #find} then fails rather than guess, so grant it.
 */
public final class S3Store implements ArchiveStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3Store.class);
    private static final int NOT_FOUND = 404;

    private final S3Client client;
    private final String bucket;
    private final String prefix;

    /**
     * @param client used and closed by this store
     * @param prefix already normalised (empty, or ending with {@code /}), as {@link S3StoreConfig} makes it
     */
    S3Store(final S3Client client, final String bucket, final String prefix) {
        this.client = Objects.requireNonNull(client, "client");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    /**
     * A store with its own client, configured by {@code config}; reads the secret access key file now.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no key (never its content)
     */
    public static S3Store create(final S3StoreConfig config) {
        final S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .forcePathStyle(config.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        LOG.info("S3 store: bucket '{}', prefix '{}', region {}, endpoint {}, {} addressing, {} credentials",
                config.bucket(), config.prefix(), config.region(),
                config.endpoint() == null ? "AWS" : config.endpoint().getHost() + ":" + config.endpoint().getPort(),
                config.pathStyle() ? "path-style" : "virtual-host", config.hasStaticCredentials()
                        ? "access key " + config.accessKeyId() + " with its secret from " + config.secretAccessKeyFile()
                        : "the default chain's");
        return new S3Store(builder.build(), config.bucket(), config.prefix());
    }

    private static AwsCredentialsProvider credentials(final S3StoreConfig config) {
        if (!config.hasStaticCredentials()) {
            return DefaultCredentialsProvider.builder().build();
        }
        final String setting = "S3 secret access key file";
        final Secret secret = Secret.of(setting + " " + config.secretAccessKeyFile(),
                SecretFile.firstValue(setting, config.secretAccessKeyFile()));
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKeyId(), secret.reveal()));
    }

    @Override
    public Optional<StoredObject> find(final String key) throws IOException {
        final HeadObjectResponse head;
        try {
            head = client.headObject(b -> b.bucket(bucket).key(objectKey(key)));
        } catch (final NoSuchKeyException e) {
            return Optional.empty();
        } catch (final S3Exception e) {
            if (e.statusCode() == NOT_FOUND) {
                return Optional.empty();
            }
            throw failure("find", key, e);
        } catch (final SdkException e) {
            throw failure("find", key, e);
        }
        final long length = head.contentLength() == null ? -1 : head.contentLength();
        final Optional<StemMetadata> metadata = S3UserMetadata.read(head.metadata(), head.contentType(), length);
        if (metadata.isEmpty()) {
            LOG.warn("{} has no stemflow metadata (user metadata {}): taken as not archived", location(key),
                    head.metadata().keySet());
        }
        return metadata.map(m -> new StoredObject(key, location(key), m));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IOException naming the bucket and key when the store refuses or cannot be reached, or when
     *                     {@code file}'s size or SHA-256 is not {@code metadata}'s
     */
    @Override
    public StoredObject put(final String key, final Path file, final StemMetadata metadata) throws IOException {
        final Digests digests = Digests.of(file);
        if (digests.size() != metadata.size() || !digests.sha256().equals(metadata.sha256())) {
            throw new IOException("not putting " + describe(key) + ": " + file + " has " + digests.size()
                    + " bytes with SHA-256 " + digests.sha256() + ", its metadata says " + metadata.size()
                    + " bytes with " + metadata.sha256());
        }
        try {
            client.putObject(b -> b.bucket(bucket).key(objectKey(key)).contentType(metadata.contentType())
                            .contentLength(digests.size()).contentMD5(digests.md5Base64())
                            .metadata(S3UserMetadata.of(metadata)),
                    RequestBody.fromFile(file));
        } catch (final SdkException e) {
            throw failure("put", key, e);
        }
        LOG.debug("put {} ({} bytes, sha256 {})", location(key), metadata.size(), metadata.sha256());
        return new StoredObject(key, location(key), metadata);
    }

    /**
     * {@inheritDoc} One PutObject with the payload's {@code Content-Type} and {@code Content-MD5}, and no user
     * metadata (it is not a stem).
     *
     * @throws IOException naming the bucket and key when the store refuses or cannot be reached
     */
    @Override
    public URI putBytes(final String key, final byte[] content, final String contentType) throws IOException {
        final String md5 = Base64.getEncoder().encodeToString(Digests.digest("MD5").digest(content));
        try {
            client.putObject(b -> b.bucket(bucket).key(objectKey(key)).contentType(contentType)
                    .contentLength((long) content.length).contentMD5(md5), RequestBody.fromBytes(content));
        } catch (final SdkException e) {
            throw failure("put", key, e);
        }
        LOG.debug("put {} ({} bytes, {})", location(key), content.length, contentType);
        return location(key);
    }

    /**
     * The bytes stored under {@code key}, as they arrive (the caller closes the stream, and checks them: nothing here
     * compares them with the object's metadata, as {@link #copyTo} does).
     */
    public InputStream open(final String key) throws IOException {
        try {
            return client.getObject(b -> b.bucket(bucket).key(objectKey(key)));
        } catch (final NoSuchKeyException e) {
            throw new NoSuchFileException(location(key).toString(), null, "no object under key '" + key
                    + "' in bucket '" + bucket + "'");
        } catch (final SdkException e) {
            throw failure("get", key, e);
        }
    }

    /**
     * {@inheritDoc} The bytes are written to a temporary file beside {@code target}, then moved onto it, so
     * {@code target} is never half written; when the object carries stemflow metadata, its size and SHA-256 are
     * checked first.
     *
     * @throws NoSuchFileException when there is no object under {@code key}
     */
    @Override
    public void copyTo(final String key, final Path target) throws IOException {
        final Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        final Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
        try {
            final GetObjectResponse response;
            final Digests digests;
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(bucket)
                    .key(objectKey(key)))) {
                response = in.response();
                digests = Digests.copy(in, tmp);
            } catch (final NoSuchKeyException e) {
                throw new NoSuchFileException(location(key).toString(), null, "no object under key '" + key
                        + "' in bucket '" + bucket + "'");
            } catch (final SdkException e) {
                throw failure("get", key, e);
            } catch (final IOException e) {
                throw new IOException("S3 get of " + describe(key) + " failed while reading or writing " + tmp + " ("
                        + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
            }
            final long length = response.contentLength() == null ? digests.size() : response.contentLength();
            final Optional<StemMetadata> metadata = S3UserMetadata.read(response.metadata(), response.contentType(),
                    length);
            if (digests.size() != length || metadata.isPresent() && !metadata.get().sha256().equals(digests.sha256())) {
                throw new IOException("the bytes read from " + describe(key) + " are not those stored: "
                        + digests.size() + " of " + length + " bytes, SHA-256 " + digests.sha256() + ", metadata says "
                        + metadata.map(StemMetadata::sha256).orElse("nothing"));
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * {@code s3://bucket/prefix+key}. As with the {@code file:} URIs of {@link Path#toUri()}, characters not allowed
     * in a URI path (the {@code %} of an encoded {@link io.stemflow.archiver.ArchiveKey} segment, a space) are
     * percent-encoded in its text, so {@link URI#getPath()} is exactly {@code /} + prefix + key.
     */
    @Override
    public URI location(final String key) {
        try {
            return new URI("s3", bucket, "/" + objectKey(key), null);
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException("no s3 URI for key '" + key + "' in bucket '" + bucket + "'", e);
        }
    }

    /** Closes the client (and its HTTP connections). */
    @Override
    public void close() {
        client.close();
    }

    private String objectKey(final String key) {
        Objects.requireNonNull(key, "key");
        return prefix + key;
    }

    private String describe(final String key) {
        return "key '" + objectKey(key) + "' in bucket '" + bucket + "'";
    }

    /** A failure naming what was done to which key of which bucket, with the store's status and error code. */
    private IOException failure(final String action, final String key, final SdkException e) {
        final String detail;
        if (e instanceof S3Exception s3) {
            final String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            detail = "status " + s3.statusCode() + (code == null ? "" : " " + code)
                    + (s3.requestId() == null ? "" : ", request id " + s3.requestId());
        } else {
            detail = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return new IOException("S3 " + action + " of " + describe(key) + " failed (" + detail + ")", e);
    }

    /** Size, SHA-256 (hex) and MD5 (base64, for {@code Content-MD5}) of some bytes, read once. */
    private record Digests(long size, String sha256, String md5Base64) {

        static Digests of(final Path file) throws IOException {
            final MessageDigest sha256 = digest("SHA-256");
            final MessageDigest md5 = digest("MD5");
            try (InputStream in = new DigestInputStream(new DigestInputStream(Files.newInputStream(file), sha256),
                    md5)) {
                final long size = in.transferTo(OutputStream.nullOutputStream());
                return new Digests(size, HexFormat.of().formatHex(sha256.digest()),
                        Base64.getEncoder().encodeToString(md5.digest()));
            }
        }

        static Digests copy(final InputStream in, final Path target) throws IOException {
            final MessageDigest sha256 = digest("SHA-256");
            final long size;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(target), sha256)) {
                size = in.transferTo(out);
            }
            return new Digests(size, HexFormat.of().formatHex(sha256.digest()), "");
        }

        private static MessageDigest digest(final String algorithm) {
            try {
                return MessageDigest.getInstance(algorithm);
            } catch (final NoSuchAlgorithmException e) {
                throw new IllegalStateException(algorithm + " is not available in this JVM", e);
            }
        }
    }
}
