package io.courier.bench;

import io.courier.spring.CourierServer;
import io.courier.spring.CourierService;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * {@link Target#COURIER_SPRING}'s server: a Spring Boot application that serves {@link BenchService} through
 * {@code courier-spring-boot-starter}, as a user writes one: {@code @SpringBootApplication}, the service a
 * {@code @CourierService} bean, the port from {@code courier.server.*} properties, everything else the starter's
 * defaults. Its client is {@link Target#COURIER}'s. {@code main} is the server:
 * {@code java -cp courier-bench.jar io.courier.bench.SpringTarget --port P}.
 */
@SpringBootApplication
public class SpringTarget {

  /** The service, exported by the starter. */
  @Bean
  @CourierService
  BenchService benchService() {
    return new BenchService.Impl();
  }

  public static void main(String[] args) throws Exception {
    TargetServer.serve(args, SpringTarget::start);
  }

  static TargetServer.Running start(String host, int port) {
    SpringApplication application = new SpringApplication(SpringTarget.class);
    // No web server (the starter's server is the only one) and no banner: stdout is the launcher's channel.
    application.setWebApplicationType(WebApplicationType.NONE);
    application.setBannerMode(Banner.Mode.OFF);
    ConfigurableApplicationContext context = application.run(
        "--courier.server.host=" + host, "--courier.server.port=" + port,
        // As CourierTarget's server: the scale rows open many connections from 127.0.0.1, and a stop has a
        // second's grace rather than the starter's ten.
        "--courier.server.max-connections-per-address=" + Integer.MAX_VALUE, "--courier.server.shutdown-grace=1s");
    CourierServer server = context.getBean(CourierServer.class);
    return new TargetServer.Running(server.port(), context::close);
  }
}
