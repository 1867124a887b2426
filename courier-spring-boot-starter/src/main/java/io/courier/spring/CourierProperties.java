package io.courier.spring;

import io.courier.Experimental;
import io.courier.server.ServerTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code courier.*} properties: the server under {@code courier.server}, the clients under
 * {@code courier.clients.NAME}. An unknown key anywhere under {@code courier} fails the start, naming it, rather
 * than being ignored: a misspelt limit is a limit not applied. Numbers left unset keep the core's defaults, which
 * each one states. Bound once when the application starts; not thread-safe, and not to be changed after that.
 */
@Experimental
@ConfigurationProperties(prefix = "courier", ignoreUnknownFields = false)
public class CourierProperties {

  /** The server that serves the {@code @CourierService} beans. */
  private final Server server = new Server();

  /** Clients by name, injected with {@code @CourierClient("NAME")}. */
  private final Map<String, Client> clients = new LinkedHashMap<>();

  /** The server's properties, {@code courier.server.*}. */
  public Server getServer() {
    return server;
  }

  /** The clients' properties by name, {@code courier.clients.NAME.*}. */
  public Map<String, Client> getClients() {
    return clients;
  }

  /** {@code courier.server.*}: one server, started when at least one bean is annotated {@code @CourierService}. */
  public static class Server {

    /** Whether to serve the @CourierService beans at all. */
    private boolean enabled = true;

    /** The address to listen on; 0.0.0.0 is every interface. */
    private String host = "0.0.0.0";

    /** The TCP port, which answers raw TCP, HTTP and WebSocket; 0 for an ephemeral one. */
    private int port = 7070;

    /**
     * How long a stop lets calls in flight finish, after the server has left its registry and before it closes
     * its connections. Spring's shutdown waits for it: the server stops in the phase of a web server's graceful
     * shutdown.
     */
    private Duration shutdownGrace = Duration.ofSeconds(10);

    /** Netty I/O threads; default the number of cores. */
    private @Nullable Integer ioThreads;

    /** Threads that run service methods; default twice the cores, at least 4 and at most 200. */
    private @Nullable Integer workerThreads;

    /** Calls queued when every worker is busy, past which calls are refused as busy; default 1000. */
    private @Nullable Integer queueCapacity;

    /** Largest message accepted, in bytes; default 4 MiB. */
    private @Nullable Integer maxMessageBytes;

    /** Connections open at once; default 10,000. */
    private @Nullable Integer maxConnections;

    /** Connections open at once from one IP address; default 1,000. */
    private @Nullable Integer maxConnectionsPerAddress;

    /** Calls one connection may have in flight before the server stops reading it; default 256. */
    private @Nullable Integer maxInFlightPerConnection;

    /** Most calls in one batch; default 100. */
    private @Nullable Integer maxBatchItems;

    /** How long a connection may stay open with nothing received and no call running; default 120 seconds. */
    private @Nullable Duration idleTimeout;

    /** Whether internal errors carry the exception's message and stack trace to the caller: development only. */
    private boolean developmentMode;

    /** Whether to serve the web console at /console. */
    private boolean console;

    /** Whether to serve the application's PrometheusMeterRegistry at GET /metrics on the server's port. */
    private boolean metricsEndpoint;

    /** Origins of web pages allowed to call the server over HTTP (CORS); "*" for any. */
    private List<String> corsOrigins = new ArrayList<>();

    /** Host names HTTP requests may carry besides the server's own (against DNS rebinding). */
    private List<String> allowedHosts = new ArrayList<>();

    /** TLS on the server's port, used when certificate-chain and private-key are set. */
    @NestedConfigurationProperty
    private final ServerTlsProperties tls = new ServerTlsProperties();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getHost() {
      return host;
    }

    public void setHost(String host) {
      this.host = host;
    }

    public int getPort() {
      return port;
    }

    public void setPort(int port) {
      this.port = port;
    }

    public Duration getShutdownGrace() {
      return shutdownGrace;
    }

    public void setShutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
    }

    public @Nullable Integer getIoThreads() {
      return ioThreads;
    }

    public void setIoThreads(@Nullable Integer ioThreads) {
      this.ioThreads = ioThreads;
    }

    public @Nullable Integer getWorkerThreads() {
      return workerThreads;
    }

    public void setWorkerThreads(@Nullable Integer workerThreads) {
      this.workerThreads = workerThreads;
    }

    public @Nullable Integer getQueueCapacity() {
      return queueCapacity;
    }

    public void setQueueCapacity(@Nullable Integer queueCapacity) {
      this.queueCapacity = queueCapacity;
    }

    public @Nullable Integer getMaxMessageBytes() {
      return maxMessageBytes;
    }

    public void setMaxMessageBytes(@Nullable Integer maxMessageBytes) {
      this.maxMessageBytes = maxMessageBytes;
    }

    public @Nullable Integer getMaxConnections() {
      return maxConnections;
    }

    public void setMaxConnections(@Nullable Integer maxConnections) {
      this.maxConnections = maxConnections;
    }

    public @Nullable Integer getMaxConnectionsPerAddress() {
      return maxConnectionsPerAddress;
    }

    public void setMaxConnectionsPerAddress(@Nullable Integer maxConnectionsPerAddress) {
      this.maxConnectionsPerAddress = maxConnectionsPerAddress;
    }

    public @Nullable Integer getMaxInFlightPerConnection() {
      return maxInFlightPerConnection;
    }

    public void setMaxInFlightPerConnection(@Nullable Integer maxInFlightPerConnection) {
      this.maxInFlightPerConnection = maxInFlightPerConnection;
    }

    public @Nullable Integer getMaxBatchItems() {
      return maxBatchItems;
    }

    public void setMaxBatchItems(@Nullable Integer maxBatchItems) {
      this.maxBatchItems = maxBatchItems;
    }

    public @Nullable Duration getIdleTimeout() {
      return idleTimeout;
    }

    public void setIdleTimeout(@Nullable Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    public boolean isDevelopmentMode() {
      return developmentMode;
    }

    public void setDevelopmentMode(boolean developmentMode) {
      this.developmentMode = developmentMode;
    }

    public boolean isConsole() {
      return console;
    }

    public void setConsole(boolean console) {
      this.console = console;
    }

    public boolean isMetricsEndpoint() {
      return metricsEndpoint;
    }

    public void setMetricsEndpoint(boolean metricsEndpoint) {
      this.metricsEndpoint = metricsEndpoint;
    }

    public List<String> getCorsOrigins() {
      return corsOrigins;
    }

    public void setCorsOrigins(List<String> corsOrigins) {
      this.corsOrigins = corsOrigins;
    }

    public List<String> getAllowedHosts() {
      return allowedHosts;
    }

    public void setAllowedHosts(List<String> allowedHosts) {
      this.allowedHosts = allowedHosts;
    }

    public ServerTlsProperties getTls() {
      return tls;
    }
  }

  /** {@code courier.server.tls.*}: PEM files, as {@link ServerTls} reads them. */
  public static class ServerTlsProperties {

    /** The server's certificate chain, a PEM file. */
    private @Nullable Path certificateChain;

    /** The server's private key, a PEM file (PKCS#8). */
    private @Nullable Path privateKey;

    /** Certificate authorities trusted to sign clients' certificates, a PEM file (mutual TLS). */
    private @Nullable Path trustedCertificates;

    /** Whether clients are asked for a certificate: NONE, OPTIONAL or REQUIRE. */
    private ServerTls.ClientAuth clientAuth = ServerTls.ClientAuth.NONE;

    /** Whether the port also serves clients that do not use TLS, when TLS is on. */
    private boolean allowPlaintext = true;

    public @Nullable Path getCertificateChain() {
      return certificateChain;
    }

    public void setCertificateChain(@Nullable Path certificateChain) {
      this.certificateChain = certificateChain;
    }

    public @Nullable Path getPrivateKey() {
      return privateKey;
    }

    public void setPrivateKey(@Nullable Path privateKey) {
      this.privateKey = privateKey;
    }

    public @Nullable Path getTrustedCertificates() {
      return trustedCertificates;
    }

    public void setTrustedCertificates(@Nullable Path trustedCertificates) {
      this.trustedCertificates = trustedCertificates;
    }

    public ServerTls.ClientAuth getClientAuth() {
      return clientAuth;
    }

    public void setClientAuth(ServerTls.ClientAuth clientAuth) {
      this.clientAuth = clientAuth;
    }

    public boolean isAllowPlaintext() {
      return allowPlaintext;
    }

    public void setAllowPlaintext(boolean allowPlaintext) {
      this.allowPlaintext = allowPlaintext;
    }
  }

  /** {@code courier.clients.NAME.*}: one client, shared by every proxy injected under its name. */
  public static class Client {

    /**
     * The servers to call: tcp://host:port, http://host:port/rpc, ws://host:port/ws, their TLS forms tls://,
     * https:// and wss://, a comma-separated list, or zk://zk1:2181/service with courier-zookeeper present.
     */
    private @Nullable String target;

    /** How long a call may take, connecting included; default 30 seconds. */
    private @Nullable Duration callTimeout;

    /** How long opening a connection may take; default 10 seconds. */
    private @Nullable Duration connectTimeout;

    /** A bearer token sent with every connection; never logged. */
    private @Nullable String token;

    /** Whether the token may be sent without TLS: only on loopback or a network you trust. */
    private boolean allowPlaintextToken;

    /** Attempts of a call that failed without being processed, the first included; default 5. */
    private @Nullable Integer maxAttempts;

    /** Largest reply accepted, in bytes; default 4 MiB. */
    private @Nullable Integer maxMessageBytes;

    /** Calls in flight at once, past which calls fail at once; default 4096. */
    private @Nullable Integer maxPendingCalls;

    /** Interfaces to register as beans for this client, besides those found at @CourierClient injection points. */
    private List<Class<?>> interfaces = new ArrayList<>();

    /** TLS for tls://, https:// and wss:// targets. */
    @NestedConfigurationProperty
    private final ClientTlsProperties tls = new ClientTlsProperties();

    public @Nullable String getTarget() {
      return target;
    }

    public void setTarget(@Nullable String target) {
      this.target = target;
    }

    public @Nullable Duration getCallTimeout() {
      return callTimeout;
    }

    public void setCallTimeout(@Nullable Duration callTimeout) {
      this.callTimeout = callTimeout;
    }

    public @Nullable Duration getConnectTimeout() {
      return connectTimeout;
    }

    public void setConnectTimeout(@Nullable Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    public @Nullable String getToken() {
      return token;
    }

    public void setToken(@Nullable String token) {
      this.token = token;
    }

    public boolean isAllowPlaintextToken() {
      return allowPlaintextToken;
    }

    public void setAllowPlaintextToken(boolean allowPlaintextToken) {
      this.allowPlaintextToken = allowPlaintextToken;
    }

    public @Nullable Integer getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(@Nullable Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    public @Nullable Integer getMaxMessageBytes() {
      return maxMessageBytes;
    }

    public void setMaxMessageBytes(@Nullable Integer maxMessageBytes) {
      this.maxMessageBytes = maxMessageBytes;
    }

    public @Nullable Integer getMaxPendingCalls() {
      return maxPendingCalls;
    }

    public void setMaxPendingCalls(@Nullable Integer maxPendingCalls) {
      this.maxPendingCalls = maxPendingCalls;
    }

    public List<Class<?>> getInterfaces() {
      return interfaces;
    }

    public void setInterfaces(List<Class<?>> interfaces) {
      this.interfaces = interfaces;
    }

    public ClientTlsProperties getTls() {
      return tls;
    }
  }

  /** {@code courier.clients.NAME.tls.*}: default the JDK's trusted authorities with hostname verification. */
  public static class ClientTlsProperties {

    /** Certificate authorities trusted to sign the server's certificate, a PEM file; default the JDK's. */
    private @Nullable Path trustedCertificates;

    /** The client's own certificate chain for mutual TLS, a PEM file, with private-key. */
    private @Nullable Path certificateChain;

    /** The client's own private key for mutual TLS, a PEM file (PKCS#8). */
    private @Nullable Path privateKey;

    /** Whether the server's certificate must name the host called. */
    private boolean hostnameVerification = true;

    public @Nullable Path getTrustedCertificates() {
      return trustedCertificates;
    }

    public void setTrustedCertificates(@Nullable Path trustedCertificates) {
      this.trustedCertificates = trustedCertificates;
    }

    public @Nullable Path getCertificateChain() {
      return certificateChain;
    }

    public void setCertificateChain(@Nullable Path certificateChain) {
      this.certificateChain = certificateChain;
    }

    public @Nullable Path getPrivateKey() {
      return privateKey;
    }

    public void setPrivateKey(@Nullable Path privateKey) {
      this.privateKey = privateKey;
    }

    public boolean isHostnameVerification() {
      return hostnameVerification;
    }

    public void setHostnameVerification(boolean hostnameVerification) {
      this.hostnameVerification = hostnameVerification;
    }
  }
}
