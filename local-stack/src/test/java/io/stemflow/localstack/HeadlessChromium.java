package io.stemflow.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver ({@code apt-get install chromium chromium-driver},
 * as {@code .ci/run} does). Both are named by path, so Selenium Manager never looks for (or downloads) a driver or a
 * browser: this machine has no internet. Where either is missing the browser tests are skipped, saying why.
 */
final class HeadlessChromium implements AutoCloseable {

    /** Debian's; another with {@code -Dstemflow.chromium=...} (and {@code -Dstemflow.chromedriver=...}). */
    static final Path CHROMIUM = Path.of(System.getProperty("stemflow.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("stemflow.chromedriver", "/usr/bin/chromedriver"));
    /** A desktop window and a phone's viewport (CSS pixels). */
    static final int DESKTOP_WIDTH = 1280;
    static final int DESKTOP_HEIGHT = 900;
    static final int PHONE_WIDTH = 390;
    static final int PHONE_HEIGHT = 844;

    private final ChromeDriver driver;
    private final ChromeDriverService service;

    private HeadlessChromium(final ChromeDriverService service, final ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    /** Why the browser tests cannot run here, or empty when they can. */
    static Optional<String> missing() {
        for (final Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                return Optional.of(p + " is not installed (apt-get install -y --no-install-recommends chromium "
                        + "chromium-driver): the dashboard's browser tests are skipped");
            }
        }
        return Optional.empty();
    }

    static HeadlessChromium start() {
        // the system chromedriver, never one Selenium Manager would fetch
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        final ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--lang=en-US",
                "--window-size=" + DESKTOP_WIDTH + "," + DESKTOP_HEIGHT);
        final ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
        return new HeadlessChromium(service, driver);
    }

    ChromeDriver driver() {
        return driver;
    }

    WebDriverWait waitUpTo(final Duration deadline) {
        final WebDriverWait wait = new WebDriverWait(driver, deadline, Duration.ofMillis(200));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    /** Runs {@code script} in the page and returns what it returns (a String, Long, Boolean, List or Map). */
    Object js(final String script, final Object... args) {
        return driver.executeScript(script, args);
    }

    /** A phone's viewport (mobile, 390 CSS pixels wide) until {@link #desktop()}. */
    void phone() {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", PHONE_WIDTH,
                "height", PHONE_HEIGHT, "deviceScaleFactor", 2, "mobile", true));
    }

    void desktop() {
        driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }

    /** The whole page (beyond the viewport) as a PNG at {@code file}. */
    void screenshot(final Path file) {
        byte[] png;
        try {
            final Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
                    Map.of("format", "png", "captureBeyondViewport", true));
            png = Base64.getDecoder().decode((String) shot.get("data"));
        } catch (WebDriverException | ClassCastException e) {
            png = driver.getScreenshotAs(OutputType.BYTES);
        }
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the screenshot " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
