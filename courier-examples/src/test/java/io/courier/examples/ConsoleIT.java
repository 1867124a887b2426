package io.courier.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.courier.Identity;
import io.courier.client.RpcClient;
import io.courier.examples.demo.DemoServer;
import io.courier.server.BearerTokenAuth;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console at {@code /console}, in Debian's headless Chromium driven by Selenium through Debian's
 * {@code chromedriver}: against the demo server it lists the methods, a try-it call of {@code add} shows 5 with its
 * request and command lines, and the charts count the calls made; a server that needs a token gets a prompt and shows
 * nothing until it is given; a page left open while its server stops says so and throws nothing. A screenshot goes to
 * {@code target/console.png}.
 *
 * <p>Selenium is pointed at {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}, so that it never looks for a
 * driver on the network. Skipped when either is missing, unless the environment variable {@code COURIER_CI} is set:
 * then it fails, because CI installs both ({@code apt-get install chromium chromium-driver}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String TOKEN = "console-token";
  /** How long the page may take to get somewhere; a wait, never a measured duration. */
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path SCREENSHOT = Path.of("target", "console.png");
  /**
   * Selenium warns, for every browser it opens, that it has no DevTools bindings for this Chromium's version; the
   * tests use none. Held here because java.util.logging keeps its loggers only weakly.
   */
  private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  private RpcServer server;
  private WebDriver browser;

  @BeforeAll
  static void requireChromium() {
    CDP_VERSION_FINDER.setLevel(Level.SEVERE);
    for (Path program : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(program)) {
        if (System.getenv("COURIER_CI") != null) {
          fail(program + " is missing, and COURIER_CI is set: CI must install it "
              + "(apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(false, program + " is missing; skipping the web console test");
      }
    }
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }

  private void start(RpcServerBuilder builder) {
    server = builder.host("127.0.0.1").port(0).console(true).build().start();
  }

  private void open() {
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1400,1300", "--no-first-run", "--disable-extensions");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    browser = new ChromeDriver(service, options);
    browser.get("http://127.0.0.1:" + server.port() + "/console");
  }

  private WebDriverWait waiting() {
    return new WebDriverWait(browser, WAIT);
  }

  private Object script(String code) {
    return ((JavascriptExecutor) browser).executeScript(code);
  }

  private String state() {
    return String.valueOf(script("return window.courierConsole.state"));
  }

  private void awaitState(String expected) {
    waiting().withMessage(() -> "the page's state to be " + expected + ", not " + state())
        .until(d -> expected.equals(state()));
  }

  /** The page caught no error, and the browser logged none uncaught. */
  private void assertNoUncaughtErrors() {
    assertThat((List<?>) script("return window.courierConsole.errors")).as("errors the page caught").isEmpty();
    List<String> uncaught = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .map(LogEntry::getMessage)
        .filter(message -> message.contains("Uncaught"))
        .toList();
    assertThat(uncaught).as("uncaught errors in the browser's log").isEmpty();
  }

  private List<String> methodNames() {
    return browser.findElements(By.cssSelector("#methods li")).stream()
        .map(item -> item.getDomAttribute("data-method"))
        .toList();
  }

  @Test
  void thePageListsTheDemoMethodsTriesAddAndChartsTheCalls() throws Exception {
    start(DemoServer.builder());
    open();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#methods li[data-method='add']")));
    assertThat(methodNames()).contains("add", "echo", "subtract", "sum", "sleep", "fail", "test", "node");
    awaitState("connected");

    browser.findElement(By.cssSelector("#methods li[data-method='add']")).click();
    WebElement method = browser.findElement(By.id("method"));
    assertThat(method.getText()).contains("a", "b", "integer");
    method.findElement(By.cssSelector("input[name='a']")).sendKeys("2");
    method.findElement(By.cssSelector("input[name='b']")).sendKeys("3");
    method.findElement(By.cssSelector("button[type='submit']")).click();

    waiting().until(ExpectedConditions.textToBe(By.id("result"), "5"));
    String request = browser.findElement(By.id("raw-request")).getText();
    assertThat(request).contains("\"jsonrpc\": \"2.0\"", "\"method\": \"add\"", "\"params\": [", "2", "3");
    assertThat(browser.findElement(By.id("raw-response")).getText()).contains("\"result\": 5");
    assertThat(browser.findElement(By.id("courier-command")).getText())
        .isEqualTo("bin/courier call tcp://127.0.0.1:" + server.port() + " add 2 3");
    assertThat(browser.findElement(By.id("curl-command")).getText())
        .startsWith("curl -s -H 'Content-Type: application/json' -d '{\"jsonrpc\":\"2.0\",\"method\":\"add\"")
        .endsWith(" http://127.0.0.1:" + server.port() + "/rpc");

    // Calls over a few seconds, as a client would make them, for the charts to show.
    int calls = 40;
    try (RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).build()) {
      for (int i = 0; i < calls; i++) {
        assertThat(client.call("add", Long.class, i, 1).join()).isEqualTo(i + 1L);
        client.call("echo", Object.class, "hello").join();
        client.call("sleep", Object.class, 5 + (i % 4) * 10).join();
        Thread.sleep(60);
      }
    }
    String addCalls = "const m = (window.courierConsole.snapshot || {methods: []}).methods"
        + ".find(x => x.name === 'add'); return m ? m.calls.reduce((a, b) => a + b, 0) : 0;";
    waiting().withMessage("the chart's data to count every call of add")
        .until(d -> ((Number) script(addCalls)).intValue() >= calls + 1);
    waiting().until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#legend li[data-method='add'][data-calls='" + (calls + 1) + "']")));
    assertThat(browser.findElement(By.id("connections")).getText()).contains("ws", "127.0.0.1");

    Files.createDirectories(SCREENSHOT.getParent());
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(SCREENSHOT)).isPositive();
    assertNoUncaughtErrors();
  }

  @Test
  void aServerThatNeedsATokenGetsAPromptAndShowsNothingUntilItIsGiven() {
    start(DemoServer.builder().intercept(BearerTokenAuth.of(Map.of(TOKEN, Identity.of("operator")))));
    open();
    awaitState("token needed");
    assertThat(browser.findElement(By.id("auth")).isDisplayed()).isTrue();
    assertThat(browser.findElement(By.id("main")).isDisplayed()).isFalse();
    assertThat(methodNames()).isEmpty();
    assertThat(browser.getPageSource()).doesNotContain("subtract").doesNotContain("notify_hello");

    browser.findElement(By.id("token")).sendKeys("wrong");
    browser.findElement(By.cssSelector("#auth-form button")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("auth-message"), "refused"));
    awaitState("token needed");
    assertThat(methodNames()).isEmpty();

    browser.findElement(By.id("token")).sendKeys(TOKEN);
    browser.findElement(By.cssSelector("#auth-form button")).click();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#methods li[data-method='add']")));
    awaitState("connected");
    assertThat(methodNames()).contains("add", "subtract");
    assertThat(browser.findElement(By.id("auth")).isDisplayed()).isFalse();
    waiting().until(d -> script("return window.courierConsole.snapshot") != null);
    assertNoUncaughtErrors();
  }

  @Test
  void aServerThatDoesNotDescribeItsMethodsStillHasItsLiveStatsShown() {
    start(DemoServer.builder().openRpc(false));
    open();
    awaitState("connected");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("methods"),
        "does not describe its methods"));
    try (RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).build()) {
      client.call("add", Long.class, 2, 3).join();
    }
    waiting().until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#legend li[data-method='add'][data-calls='1']")));
    assertNoUncaughtErrors();
  }

  @Test
  void aPageLeftOpenWhileTheServerStopsSaysDisconnectedRetriesAndThrowsNothing() {
    start(DemoServer.builder());
    open();
    awaitState("connected");
    waiting().until(d -> script("return window.courierConsole.snapshot") != null);

    server.stop(Duration.ofSeconds(1));
    server = null;
    awaitState("disconnected");
    assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("disconnected");
    long attempts = ((Number) script("return window.courierConsole.attempts")).longValue();
    waiting().withMessage("two more attempts to reconnect")
        .until(d -> ((Number) script("return window.courierConsole.attempts")).longValue() >= attempts + 2);
    assertThat(state()).isEqualTo("disconnected");
    assertNoUncaughtErrors();
  }
}
