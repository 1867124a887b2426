package io.courier.spring;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.courier.server.ServerListener;
import io.courier.server.ServerTls;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.ClassUtils;

/**
 * The application's Courier server: built from the {@code courier.server.*} properties, serving every bean
 * annotated {@link CourierService}, started when the application context starts and stopped gracefully when it
 * closes. With no such bean it opens no port.
 *
 * <p>It stops in Spring's shutdown phase of a web server's graceful shutdown: the server's listeners are told
 * first (a {@code ZooKeeperRegistry} bean withdraws it), then new calls are refused, calls in flight get
 * {@code courier.server.shutdown-grace} to finish, and the connections close. The health indicator reports it
 * down from the moment the stop begins. Each start builds a new {@link RpcServer}, so a context stopped and started
 * again serves again. Thread-safe: Spring starts and stops it on one thread, and its state may be read from any.
 */
@Experimental
public final class CourierServer implements SmartLifecycle, DisposableBean {

  /**
   * Spring Boot's phase for a web server's graceful shutdown: stopped before the beans of lower phases (and the
   * clients, closed only when the context's beans are destroyed), which the calls in flight may still need.
   */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  /** Interfaces of these packages are never exported by default: a bean's plumbing, not its service. */
  private static final List<String> NOT_EXPORTED = List.of("java.", "javax.", "jakarta.", "org.springframework.",
      "groovy.", "kotlin.", "scala.");

  private static final Logger log = LoggerFactory.getLogger(CourierServer.class);

  /** Where the server is in its life, for the health indicator. */
  enum State {
    /** Not started, or nothing to serve: no {@code @CourierService} bean. */
    IDLE,
    SERVING,
    DRAINING,
    STOPPED
  }

  private final CourierProperties.Server properties;
  private final ListableBeanFactory beans;
  private final ObjectProvider<CourierServerCustomizer> customizers;
  private final ObjectProvider<ServerListener> listeners;
  private volatile @Nullable RpcServer server;
  private volatile State state = State.IDLE;
  private @Nullable Thread keepAlive;

  CourierServer(CourierProperties.Server properties, ListableBeanFactory beans,
      ObjectProvider<CourierServerCustomizer> customizers, ObjectProvider<ServerListener> listeners) {
    this.properties = properties;
    this.beans = beans;
    this.customizers = customizers;
    this.listeners = listeners;
  }

  @Override
  public void start() {
    if (server != null) {
      return;
    }
    Map<String, Export> exported = exportedBeans();
    if (exported.isEmpty()) {
      log.debug("No bean is annotated @CourierService: the Courier server is not started");
      return;
    }
    RpcServerBuilder builder = RpcServer.builder();
    applyProperties(builder);
    exported.values().forEach(export -> export.registerOn(builder));
    listeners.orderedStream().forEach(builder::listener);
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    RpcServer built = builder.build().start();
    server = built;
    state = State.SERVING;
    keepAlive = keepAlive(built);
    log.info("Courier server serving {} on port {}", exported.keySet(), built.port());
  }

  @Override
  public void stop() {
    RpcServer running = server;
    if (running == null) {
      return;
    }
    state = State.DRAINING;
    try {
      running.stop(properties.getShutdownGrace());
    } finally {
      server = null;
      state = State.STOPPED;
      Thread waiting = keepAlive;
      keepAlive = null;
      if (waiting != null) {
        waiting.interrupt();
      }
    }
  }

  /**
   * A thread that is not a daemon, alive while the server runs: Courier's threads are daemons, so an application
   * whose only server is this one would otherwise exit as soon as its {@code main} returns. Spring Boot's web
   * servers keep the JVM up the same way.
   */
  private static Thread keepAlive(RpcServer running) {
    Thread thread = new Thread(() -> {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        // Interrupted by stop(): the JVM may exit now.
      }
    }, "courier-server-keep-alive-" + running.port());
    thread.setDaemon(false);
    thread.start();
    return thread;
  }

  /**
   * Stops the server if it still runs when its bean is destroyed without a lifecycle stop (a bean factory destroyed
   * directly): its keep-alive thread would otherwise keep the JVM up. A context that closes, or fails to start,
   * has stopped it already.
   */
  @Override
  public void destroy() {
    stop();
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /**
   * Returns the port the server listens on, which {@code courier.server.port=0} leaves to the system.
   *
   * @throws IllegalStateException when the server is not running
   */
  public int port() {
    return running().port();
  }

  /**
   * Returns the running server, for what the starter does not wrap ({@link RpcServer#peers()},
   * {@link RpcServer#methods()}).
   *
   * @throws IllegalStateException when the server is not running
   */
  public RpcServer rpcServer() {
    return running();
  }

  State state() {
    return state;
  }

  private RpcServer running() {
    RpcServer running = server;
    if (running == null) {
      throw new IllegalStateException("The Courier server is not running");
    }
    return running;
  }

  /** A bean to serve, and the interfaces it is served as. */
  private record Export(Object bean, Set<Class<?>> interfaces) {
    void registerOn(RpcServerBuilder builder) {
      for (Class<?> type : interfaces) {
        register(builder, type, bean);
      }
    }
  }

  private Map<String, Export> exportedBeans() {
    Map<String, Export> exported = new LinkedHashMap<>();
    for (String name : beans.getBeanNamesForAnnotation(CourierService.class)) {
      Object bean = beans.getBean(name);
      exported.put(name, new Export(bean, interfaces(name, bean)));
    }
    checkNoMethodExportedTwice(exported);
    return exported;
  }

  /**
   * Fails when two beans export one method name: the core would refuse the second with a message that names the
   * method but not the beans, or, when their params differ in number, serve both as overloads, which two
   * unrelated beans never mean. A server of each bean alone is built, not started, to learn its wire names as
   * the core derives them: that opens nothing and starts no thread.
   */
  private void checkNoMethodExportedTwice(Map<String, Export> exported) {
    Map<String, String> owners = new LinkedHashMap<>();
    exported.forEach((name, export) -> {
      RpcServerBuilder alone = RpcServer.builder();
      export.registerOn(alone);
      for (String method : alone.build().methods()) {
        String other = owners.putIfAbsent(method, name);
        if (other != null) {
          throw new IllegalStateException("Method " + method + " is exported by two @CourierService beans, '"
              + other + "' and '" + name + "': give one of them another name (@RpcService, @RpcMethod)");
        }
      }
    });
  }

  /** The interfaces {@code bean} is exported as: those its annotation names, or those its class implements. */
  private Set<Class<?>> interfaces(String name, Object bean) {
    CourierService annotation = beans.findAnnotationOnBean(name, CourierService.class);
    Set<Class<?>> types = new LinkedHashSet<>();
    if (annotation != null && annotation.interfaces().length > 0) {
      for (Class<?> type : annotation.interfaces()) {
        if (!type.isInterface() || !type.isInstance(bean)) {
          throw new IllegalStateException("Bean '" + name + "' (@CourierService) cannot be exported as "
              + type.getName() + " (expected: an interface the bean implements)");
        }
        types.add(type);
      }
      return types;
    }
    for (Class<?> c = ClassUtils.getUserClass(bean); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Class<?> type : c.getInterfaces()) {
        if (NOT_EXPORTED.stream().noneMatch(type.getName()::startsWith)) {
          types.add(type);
        }
      }
    }
    if (types.isEmpty()) {
      throw new IllegalStateException("Bean '" + name + "' (@CourierService) implements no interface to export: "
          + "Courier serves interfaces; implement one, or name it with @CourierService(interfaces = ...)");
    }
    return types;
  }

  private static <T> void register(RpcServerBuilder builder, Class<T> type, Object bean) {
    builder.service(type, type.cast(bean));
  }

  private void applyProperties(RpcServerBuilder builder) {
    CourierProperties.Server p = properties;
    builder.host(p.getHost()).port(p.getPort()).shutdownGrace(p.getShutdownGrace())
        .developmentMode(p.isDevelopmentMode()).console(p.isConsole());
    ifSet(p.getIoThreads(), builder::ioThreads);
    ifSet(p.getWorkerThreads(), builder::workerThreads);
    ifSet(p.getQueueCapacity(), builder::queueCapacity);
    ifSet(p.getMaxMessageBytes(), builder::maxMessageBytes);
    ifSet(p.getMaxConnections(), builder::maxConnections);
    ifSet(p.getMaxConnectionsPerAddress(), builder::maxConnectionsPerAddress);
    ifSet(p.getMaxInFlightPerConnection(), builder::maxInFlightPerConnection);
    ifSet(p.getMaxBatchItems(), builder::maxBatchItems);
    ifSet(p.getIdleTimeout(), builder::idleTimeout);
    if (!p.getCorsOrigins().isEmpty()) {
      builder.corsOrigins(p.getCorsOrigins().toArray(String[]::new));
    }
    if (!p.getAllowedHosts().isEmpty()) {
      builder.allowedHosts(p.getAllowedHosts().toArray(String[]::new));
    }
    CourierProperties.ServerTlsProperties tls = p.getTls();
    if (tls.getCertificateChain() != null || tls.getPrivateKey() != null) {
      if (tls.getCertificateChain() == null || tls.getPrivateKey() == null) {
        throw new IllegalStateException("courier.server.tls.certificate-chain and courier.server.tls.private-key "
            + "go together: only one of them is set");
      }
      ServerTls.Builder serverTls = ServerTls.builder(tls.getCertificateChain(), tls.getPrivateKey())
          .clientAuth(tls.getClientAuth());
      if (tls.getTrustedCertificates() != null) {
        serverTls.trustedCertificates(tls.getTrustedCertificates());
      }
      builder.tls(serverTls.build()).allowPlaintext(tls.isAllowPlaintext());
    }
  }

  static <T> void ifSet(@Nullable T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(requireNonNull(value));
    }
  }

  @Override
  public String toString() {
    RpcServer running = server;
    return "CourierServer{" + state + (running == null ? "" : ", port " + running.port()) + "}";
  }
}
