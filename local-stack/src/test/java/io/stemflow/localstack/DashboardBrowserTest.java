package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.ControlScope;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.gateway.GatewayConfig;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The operator's dashboard (issue 19, docs/dashboard.md) in headless Chromium against the whole local stack: the
 * page shows what the query API returns, its progress bar moves while a demo batch runs, a viewer gets no action
 * buttons, and an operator cancels a batch's waiting jobs from the page. Screenshots of every page, at desktop and
 * phone width, go to {@code target/screenshots/}.
 *
 * <p>The provider is slowed to 4 calls per 2 s (the emulator enforces the gateway's limit), so the demo batch takes
 * long enough for its progress to be seen moving. Every wait has a deadline; nothing sleeps.
 */
@Tag("broker")
@ExtendWith(ChromiumCondition.class) // skipped, saying why, where chromium or chromedriver is not installed
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the demo runs in the first; the others read what it left
class DashboardBrowserTest {

    private static final String DEMO = "dash-demo";
    private static final int DEMO_TRACKS = 40;
    private static final String TO_CANCEL = "dash-cancel";
    private static final String OPS_ACCOUNT = "dash-ops";
    private static final int TO_CANCEL_JOBS = 1_200;
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path dataDir;

    private LocalStack stack;
    private HeadlessChromium browser;
    private String viewerToken;
    private String operatorToken;
    private String queryApi;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    /** On a failure: what the browser showed (a screenshot, the page's DOM) and what its console said. */
    @RegisterExtension
    final TestWatcher evidence = new TestWatcher() {
        @Override
        public void testFailed(final ExtensionContext context, final Throwable cause) {
            if (browser == null) {
                return;
            }
            final String name = "failed-" + context.getRequiredTestMethod().getName();
            try {
                shoot(name);
                Files.writeString(SCREENSHOTS.resolve(name + ".html"), browser.driver().getPageSource());
                System.out.printf("%s: at %s; browser console:%n%s%n", name, browser.driver().getCurrentUrl(),
                        String.join(System.lineSeparator(), browser.driver().manage().logs().get("browser").getAll()
                                .stream().map(Object::toString).toList()));
            } catch (RuntimeException | IOException e) {
                System.out.printf("%s: no evidence kept: %s%n", name, e);
            }
        }
    };

    @BeforeAll
    void start() throws IOException {
        if (Files.isDirectory(SCREENSHOTS)) { // this run's pictures only
            try (java.util.stream.Stream<Path> old = Files.list(SCREENSHOTS)) {
                for (final Path p : old.toList()) {
                    Files.delete(p);
                }
            }
        }
        stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 3, false, true)
                .withGateway(Map.of(GatewayConfig.RATE_LIMIT_REQUESTS, "4", GatewayConfig.RATE_LIMIT_WINDOW, "2s")));
        queryApi = stack.info().services().get("query-api");
        viewerToken = Files.readString(Path.of(stack.info().credentials().get(StackInfo.VIEWER_TOKEN_FILE))).strip();
        operatorToken = Files.readString(Path.of(stack.info().credentials().get(StackInfo.OPERATOR_TOKEN_FILE))).strip();
        browser = HeadlessChromium.start();
    }

    @AfterAll
    void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    // ---- must show: the batch page's progress moves while jobs complete ------------------------------------------

    @Test
    @Order(1)
    void shouldMoveTheProgressBarWithoutReloadingWhenTheBatchsJobsComplete() throws Exception {
        // given a demo batch of 40 tracks running against the slowed provider
        final StringWriter text = new StringWriter();
        final CompletableFuture<Demo.Summary> demo = CompletableFuture.supplyAsync(() -> {
            try {
                return new Demo(stack.info().bootstrapServers(), stack.info().schemaRegistryUrl(),
                        new Demo.Settings(DEMO_TRACKS, DEMO, Duration.ofMinutes(5), 10_000, 100), Clock.systemUTC(), null)
                        .withRegistryAuth(stack.info().registry().auth()).run(new PrintWriter(text, true));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await("the query API knows the batch").atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> status("/batches/" + DEMO, viewerToken) == 200);

        // when a viewer opens its page and leaves it open
        signIn(viewerToken);
        open("#/batches/" + DEMO);
        browser.js("window.stemflowTestMarker = 'not reloaded';");

        // then the page shows at least three different progress values, rising, before the batch ends
        final List<Long> seen = new ArrayList<>();
        browser.waitUpTo(DEADLINE).until(d -> {
            final Long value = progress();
            if (value != null && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(value))) {
                seen.add(value);
            }
            final long before = seen.stream().filter(v -> v < DEMO_TRACKS).count();
            if (before < 3 && seen.contains((long) DEMO_TRACKS)) {
                throw new AssertionError("the batch ended before its progress was seen moving twice: " + seen);
            }
            return before >= 3;
        });
        System.out.printf("dashboard: progress values seen on the batch page while the demo ran: %s%n", seen);
        assertThat(seen).isSorted().doesNotHaveDuplicates();
        final Demo.Summary summary = demo.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(summary.allTerminal()).as(text.toString()).isTrue();
        // and once every job ended the page, still the same document, says so: done = total, as the API says
        browser.waitUpTo(Duration.ofSeconds(30)).until(d -> Long.valueOf(DEMO_TRACKS).equals(progress()));
        assertThat(browser.js("return window.stemflowTestMarker;")).isEqualTo("not reloaded");
        assertThat(number(testid("batch-done"))).isEqualTo(DEMO_TRACKS);
        assertThat(get("/dashboard/api/batches/" + DEMO, viewerToken).path("done").asLong()).isEqualTo(DEMO_TRACKS);
        browser.waitUpTo(Duration.ofSeconds(30)).until(d -> String.valueOf(testid("live-status")).contains("● live"));
        shoot("batch");
    }

    // ---- must show: the overview shows the numbers the query API returns -----------------------------------------

    @Test
    @Order(2)
    void shouldShowTheQueryApisNumbersWhenTheOverviewIsOpen() throws Exception {
        // given the demo batch has run (the first test)
        signIn(viewerToken);

        // when the overview is open
        open("#/");
        browser.waitUpTo(Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("[data-testid='overview-total']")));

        // then every figure of the page is the API's (live: compared again until both agree, within a deadline)
        await("the page shows the API's overview").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    final JsonNode api = get("/dashboard/api/overview", viewerToken);
                    assertThat(number(testid("overview-total"))).isEqualTo(api.path("jobs").path("total").asLong());
                    assertThat(pageCounts("state-")).isEqualTo(longs(api.path("jobs").path("byState")));
                    assertThat(number(testid("deadletters-total"))).isEqualTo(api.path("deadLetters").path("total").asLong());
                    assertThat(pageCounts("deadletter-")).isEqualTo(longs(api.path("deadLetters").path("byKind")));
                    final Map<String, Map<String, Long>> accounts = new HashMap<>();
                    for (final JsonNode a : api.path("accounts")) {
                        accounts.put(a.path("accountId").asText(), Map.of("granted", a.path("granted").asLong(),
                                "reserved", a.path("reserved").asLong(), "spent", a.path("spent").asLong(),
                                "available", a.path("available").asLong()));
                    }
                    assertThat(pageRows("account-row", "account", List.of("granted", "reserved", "spent", "available")))
                            .isEqualTo(accounts);
                    final Map<String, Map<String, Long>> batches = new HashMap<>();
                    for (final JsonNode b : api.path("batches")) {
                        batches.put(b.path("batchId").asText(), Map.of("batch-total", b.path("total").asLong()));
                    }
                    assertThat(pageRows("batch-row", "batch", List.of("batch-total"))).isEqualTo(batches);
                });
        // and the API's figures are the query API's own: the demo's 40 jobs, its accounts as GET /accounts has them
        final JsonNode overview = get("/dashboard/api/overview", viewerToken);
        assertThat(overview.path("jobs").path("total").asLong()).isGreaterThanOrEqualTo(DEMO_TRACKS);
        assertThat(get("/batches/" + DEMO, viewerToken).path("total").asLong()).isEqualTo(DEMO_TRACKS);
        final Map<String, Map<String, Long>> rows = pageRows("account-row", "account", List.of("granted", "spent"));
        for (final JsonNode a : get("/accounts", viewerToken).path("accounts")) {
            assertThat(rows.get(a.path("accountId").asText())).as(a.toString())
                    .containsEntry("granted", a.path("granted").asLong()).containsEntry("spent", a.path("spent").asLong());
        }
        assertThat(rows).containsKeys(Demo.NORTH, Demo.SOUTH);
        // and the provider's calls per window are drawn against the limit
        assertThat(testid("provider-limit")).contains("4");
        shoot("overview");
    }

    // ---- every page at phone width: screenshots, nothing wider than the screen -----------------------------------

    @Test
    @Order(3)
    void shouldFitAPhonesWidthWhenEachPageIsShownNarrow() throws Exception {
        // given the demo batch and a job of it
        final String job = DEMO + "-track-000";
        signIn(viewerToken);
        final Map<String, String> pages = Map.of("overview", "#/", "batch", "#/batches/" + DEMO, "job",
                "#/jobs/" + job, "accounts", "#/accounts", "account", "#/accounts/" + Demo.NORTH);

        // when each page is shown at a phone's width, then at a desktop's
        for (final Map.Entry<String, String> page : pages.entrySet()) {
            for (final boolean phone : List.of(true, false)) {
                if (phone) {
                    browser.phone();
                } else {
                    browser.desktop();
                }
                open(page.getValue());
                browser.waitUpTo(Duration.ofSeconds(30)).until(d -> "false".equals(browser.js(
                        "const b = document.querySelector('.view-body'); return b && b.getAttribute('aria-busy');")));
                assertThat(browser.driver().findElements(By.cssSelector("[data-testid='view-error']")))
                        .as("%s shows no error", page.getKey()).isEmpty();

                // then nothing but a table's own scroller is wider than the screen
                final Long overflow = (Long) browser.js("return document.documentElement.scrollWidth"
                        + " - document.documentElement.clientWidth;");
                assertThat(overflow).as("%s at %s width scrolls sideways", page.getKey(), phone ? "phone" : "desktop")
                        .isLessThanOrEqualTo(0L);
                shoot(page.getKey() + (phone ? "-phone" : "-desktop"));
            }
        }
        browser.desktop();

        // and the job page shows its timeline, its stems with safe links, and the archived copies once archived
        final JsonNode api = get("/dashboard/api/jobs/" + URLEncoder.encode(job, StandardCharsets.UTF_8), viewerToken);
        open("#/jobs/" + job);
        browser.waitUpTo(Duration.ofSeconds(30)).until(d -> d.findElements(By.cssSelector("[data-testid='timeline-entry']"))
                .size() == api.path("job").path("history").size());
        final List<WebElement> links = browser.driver().findElements(By.cssSelector("a[data-testid='stem-link']"));
        assertThat(links).hasSize(api.path("job").path("stems").size()).isNotEmpty();
        for (final WebElement link : links) {
            assertThat(link.getAttribute("rel")).isEqualTo("noopener noreferrer");
            assertThat(link.getAttribute("href")).startsWith("http");
        }
        await("the job's stems archived").atMost(DEADLINE).pollInterval(Duration.ofSeconds(1)).until(() ->
                get("/dashboard/api/jobs/" + job, viewerToken).path("archived").size() == links.size());
        final List<String> locations = new ArrayList<>();
        get("/dashboard/api/jobs/" + job, viewerToken).path("archived").forEach(l -> locations.add(l.asText()));
        browser.waitUpTo(Duration.ofSeconds(30)).until(d -> d.findElements(By.cssSelector("[data-testid='archived']"))
                .stream().map(WebElement::getText).toList().containsAll(locations));
        shoot("job-archived");
    }

    // ---- must show: a viewer sees no action buttons --------------------------------------------------------------

    @Test
    @Order(4)
    void shouldShowNoActionButtonsWhenTheUserIsAViewer() {
        // given a viewer
        signIn(viewerToken);
        assertThat(testid("role")).isEqualTo("viewer");

        // when the batch page is shown
        open("#/batches/" + DEMO);
        browser.waitUpTo(Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("[data-testid='batch-progress']")));

        // then there is no pause, resume, cancel or replay button, nor the dialog they open
        assertThat(browser.driver().findElements(By.cssSelector("[data-testid^='action-']"))).isEmpty();
        assertThat(browser.driver().findElements(By.tagName("button")).stream().filter(WebElement::isDisplayed)
                .map(WebElement::getText).toList()).noneMatch(t -> t.matches("(?i).*(pause|resume|cancel|replay).*"));
        assertThat(browser.driver().findElement(By.id("confirm-dialog")).isDisplayed()).isFalse();
    }

    // ---- must show: an operator cancels a batch from the page ----------------------------------------------------

    @Test
    @Order(5)
    void shouldCancelEveryWaitingJobWhenAnOperatorConfirmsTheCancelOnTheBatchPage() throws Exception {
        // given a batch of 1,200 jobs all waiting: the batch was paused before its jobs arrived
        try (Submitter submit = new Submitter()) {
            submit.grant(OPS_ACCOUNT, 100_000);
            submit.command(TO_CANCEL + "-hold", ControlAction.PAUSE, TO_CANCEL);
            submit.requests(TO_CANCEL, OPS_ACCOUNT, TO_CANCEL_JOBS);
        }
        await("every job of the batch PAUSED").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(AssertionError.class) // 404 until the first job is counted
                .until(() -> get("/batches/" + TO_CANCEL, viewerToken).path("counts").path("PAUSED").asLong()
                        == TO_CANCEL_JOBS);
        final String expected = String.format(Locale.ROOT, "%,d waiting jobs", TO_CANCEL_JOBS); // "1,200 waiting jobs"

        // when an operator opens the batch page and clicks cancel
        signIn(operatorToken);
        assertThat(testid("role")).isEqualTo("operator");
        open("#/batches/" + TO_CANCEL);
        browser.waitUpTo(Duration.ofSeconds(30)).until(d -> Long.valueOf(TO_CANCEL_JOBS).equals(count("batch-waiting")));
        assertThat(browser.driver().findElements(By.cssSelector("[data-testid='action-pause'], "
                + "[data-testid='action-resume'], [data-testid='action-cancel'], [data-testid='action-replay']")))
                .hasSize(4);
        browser.driver().findElement(By.cssSelector("[data-testid='action-cancel']")).click();

        // then the confirmation names the number of waiting jobs, as the API's preview words it
        final WebElement confirmText = browser.waitUpTo(Duration.ofSeconds(30)).until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid='confirm-text']")));
        assertThat(confirmText.getText()).contains(expected).contains(TO_CANCEL).startsWith("cancel")
                .isEqualTo(get("/dashboard/api/batches/" + TO_CANCEL + "/actions/cancel", operatorToken)
                        .path("description").asText());
        shoot("batch-cancel-confirm");
        assertThat(get("/batches/" + TO_CANCEL, viewerToken).path("counts").path("CANCELLED").asLong())
                .as("nothing is cancelled before the operator confirms").isZero();

        // when confirmed
        browser.driver().findElement(By.cssSelector("[data-testid='confirm-ok']")).click();

        // then the page reports the command sent, and every job of the batch ends CANCELLED
        final WebElement result = browser.waitUpTo(Duration.ofSeconds(30)).until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid='action-result']")));
        assertThat(result.getAttribute("data-outcome")).as(result.getText()).isEqualTo("ok");
        assertThat(result.getText()).contains(expected);
        await("every job CANCELLED").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(() -> get("/batches/" + TO_CANCEL, viewerToken).path("counts").path("CANCELLED").asLong()
                        == TO_CANCEL_JOBS);
        final JsonNode batch = get("/batches/" + TO_CANCEL, viewerToken);
        assertThat(batch.path("total").asLong()).isEqualTo(TO_CANCEL_JOBS);
        assertThat(longs(batch.path("counts"))).isEqualTo(Map.of("CANCELLED", (long) TO_CANCEL_JOBS));
        // and the page, still open, shows it: all ended, none waiting
        browser.waitUpTo(Duration.ofSeconds(30)).until(d -> Long.valueOf(TO_CANCEL_JOBS).equals(progress()));
        assertThat(number(testid("batch-waiting"))).isZero();
        assertThat(number(testid("state-CANCELLED"))).isEqualTo(TO_CANCEL_JOBS);
        shoot("batch-cancelled");
    }

    // ---- sign-in ---------------------------------------------------------------------------------------------------

    @Test
    @Order(6)
    void shouldAskForTheTokenAgainWhenTheTokenIsRefusedOrTheUserSignsOut() {
        // given no token
        freshPageWithoutToken();
        browser.waitUpTo(Duration.ofSeconds(30)).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[data-testid='signin-token']")));

        // when a wrong token is given
        typeToken("not-a-token-" + viewerToken.hashCode());

        // then the form asks again, saying so, and nothing of the API shows
        final WebElement error = browser.waitUpTo(Duration.ofSeconds(30)).until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid='signin-error']")));
        assertThat(error.getText()).containsIgnoringCase("refused");
        assertThat(browser.driver().findElements(By.cssSelector("[data-testid='overview-total']"))).isEmpty();
        assertThat(browser.js("return sessionStorage.getItem('stemflow.token');")).isNull();

        // when the right one is given, then the role shows
        typeToken(viewerToken);
        browser.waitUpTo(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid='role']"), "viewer"));
        assertThat(browser.js("return sessionStorage.getItem('stemflow.token');")).isEqualTo(viewerToken);
        shoot("signed-in");

        // when the token stops being accepted while the page is open (revoked), then the next call shows the form
        browser.js("sessionStorage.setItem('stemflow.token', 'revoked-' + Date.now());");
        open("#/accounts");
        final WebElement expired = browser.waitUpTo(Duration.ofSeconds(30)).until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid='signin-error']")));
        assertThat(expired.getText()).containsIgnoringCase("sign in again");
        assertThat(browser.driver().findElements(By.cssSelector("[data-testid='accounts']"))).isEmpty();
        typeToken(viewerToken);
        browser.waitUpTo(Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("[data-testid='accounts'][aria-busy='false']")));

        // when signed out, the form is back and the token gone
        browser.driver().findElement(By.cssSelector("[data-testid='signout']")).click();
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[data-testid='signin-token']")));
        assertThat(browser.js("return sessionStorage.getItem('stemflow.token');")).isNull();
        shoot("signin");
    }

    // ---- helpers: the page -----------------------------------------------------------------------------------------

    private String dashboard() {
        return queryApi + "/dashboard/";
    }

    /** A fresh page with no token, signed in through the form with {@code token}. */
    private void signIn(final String token) {
        browser.desktop();
        freshPageWithoutToken();
        browser.waitUpTo(Duration.ofSeconds(30)).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[data-testid='signin-token']")));
        typeToken(token);
        browser.waitUpTo(Duration.ofSeconds(30)).until(d -> {
            final String role = testid("role");
            return role != null && !role.isBlank();
        });
    }

    /** The dashboard loaded afresh, its tab's session storage (the token) emptied first on a page of the same origin. */
    private void freshPageWithoutToken() {
        browser.driver().get(queryApi + "/dashboard/app.css");
        browser.js("sessionStorage.clear();");
        browser.driver().get(dashboard());
    }

    private void typeToken(final String token) {
        final WebElement input = browser.driver().findElement(By.cssSelector("[data-testid='signin-token']"));
        input.clear();
        input.sendKeys(token);
        browser.driver().findElement(By.cssSelector("[data-testid='signin-submit']")).click();
    }

    /** Goes to a route of the page: a hash change, the document stays. */
    private void open(final String route) {
        browser.js("location.hash = arguments[0];", route);
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> route.equals(browser.js("return document.body.dataset.route;")));
    }

    /** The text of the element with this data-testid, or null when there is none. */
    private String testid(final String id) {
        return (String) browser.js("const e = document.querySelector(`[data-testid='${arguments[0]}']`);"
                + " return e ? e.textContent.trim() : null;", id);
    }

    /** The number shown by the element with this data-testid, or null while there is none (or no number). */
    private Long count(final String id) {
        final String text = testid(id);
        if (text == null || !text.replaceAll("[^0-9]", "").matches("[0-9]+")) {
            return null;
        }
        return number(text);
    }

    /** The batch page's progress bar's value (jobs ended), or null while it is not shown. */
    private Long progress() {
        final Object v = browser.js("const p = document.querySelector(\"[data-testid='batch-progress']\");"
                + " return p ? Number(p.getAttribute('aria-valuenow')) : null;");
        return v == null ? null : ((Number) v).longValue();
    }

    /** Every element whose data-testid starts with {@code prefix}, by the rest of its testid, as numbers. */
    private Map<String, Long> pageCounts(final String prefix) {
        @SuppressWarnings("unchecked")
        final Map<String, String> texts = (Map<String, String>) browser.js(
                "const out = {}; document.querySelectorAll(`[data-testid^='${arguments[0]}']`).forEach(e =>"
                        + " { out[e.dataset.testid.slice(arguments[0].length)] = e.textContent.trim(); }); return out;",
                prefix);
        final Map<String, Long> counts = new HashMap<>();
        texts.forEach((k, v) -> counts.put(k, number(v)));
        return counts;
    }

    /** Rows with data-testid {@code row}, keyed by their data-{key}, each cell of {@code cells} as a number. */
    private Map<String, Map<String, Long>> pageRows(final String row, final String key, final List<String> cells) {
        @SuppressWarnings("unchecked")
        final Map<String, Map<String, String>> texts = (Map<String, Map<String, String>>) browser.js(
                "const [row, key, cells] = arguments; const out = {};"
                        + " document.querySelectorAll(`[data-testid='${row}']`).forEach(r => { const v = {};"
                        + " cells.forEach(c => { const e = r.querySelector(`[data-testid='${c}']`); v[c] = e ? e.textContent.trim() : null; });"
                        + " out[r.dataset[key]] = v; }); return out;", row, key, cells);
        final Map<String, Map<String, Long>> rows = new HashMap<>();
        texts.forEach((k, v) -> {
            final Map<String, Long> values = new HashMap<>();
            v.forEach((c, t) -> values.put(c, number(t)));
            rows.put(k, values);
        });
        return rows;
    }

    /** A number as the page writes it (en-US: "1,200"; a warning sign before a negative balance). */
    private static long number(final String text) {
        assertThat(text).as("a number on the page").isNotNull();
        final String digits = text.replaceAll("[^0-9\\-]", "");
        assertThat(digits).as("a number on the page: '%s'", text).matches("-?[0-9]+");
        return Long.parseLong(digits);
    }

    private static Map<String, Long> longs(final JsonNode object) {
        final Map<String, Long> values = new HashMap<>();
        final Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            final Map.Entry<String, JsonNode> f = fields.next();
            values.put(f.getKey(), f.getValue().asLong());
        }
        return values;
    }

    private void shoot(final String name) {
        browser.screenshot(SCREENSHOTS.resolve(name + ".png"));
    }

    // ---- helpers: the API and the topics -----------------------------------------------------------------------------

    private JsonNode get(final String path, final String token) throws IOException, InterruptedException {
        final HttpResponse<String> r = send(path, token);
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private int status(final String path, final String token) throws IOException, InterruptedException {
        return send(path, token).statusCode();
    }

    private HttpResponse<String> send(final String path, final String token) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(queryApi + path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends grants, control commands and requests as stemflow's own tools do (acknowledged, one by one). */
    private final class Submitter implements AutoCloseable {

        private final Topics topics = Topics.create(new RestSchemaRegistryClient(stack.info().registry().clientConfig()),
                Map.of());
        private final KafkaProducer<String, byte[]> producer;

        Submitter() {
            final Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        }

        void grant(final String account, final long credits) throws Exception {
            send(topics.creditGrants().name(), account, topics.creditGrants().valueSerde(),
                    new CreditGrant(account + "-budget", account, credits, "dashboard test", Instant.now()));
        }

        void command(final String id, final ControlAction action, final String batch) throws Exception {
            send(topics.control().name(), batch, topics.control().valueSerde(),
                    new ControlCommand(id, action, ControlScope.BATCH, batch, null, "dashboard test", null, Instant.now()));
        }

        void requests(final String batch, final String account, final int n) throws Exception {
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            final String topic = topics.requests().name();
            for (int i = 1; i <= n; i++) {
                final String id = String.format(Locale.ROOT, "%s-%04d", batch, i);
                final SeparationRequest r = SeparationRequest.newBuilder().setRequestId(id).setAccountId(account)
                        .setBatchId(batch).setTaskId("t-" + id).setAudioId("a-" + id)
                        .setType(SeparationType.SEPARATE_VOCAL).setRequestedAt(Instant.now())
                        .setPriority(Priority.NORMAL).build();
                sent.add(producer.send(new ProducerRecord<>(topic, id,
                        topics.requests().valueSerde().serializer().serialize(topic, r))));
            }
            for (final Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }

        private <V> void send(final String topic, final String key, final Serde<V> serde, final V value) throws Exception {
            producer.send(new ProducerRecord<>(topic, key, serde.serializer().serialize(topic, value)))
                    .get(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
