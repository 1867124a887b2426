package io.courier.examples.demo;

import io.courier.Endpoint;
import io.courier.examples.tutorial.TutorialFunctions;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.courier.server.ServerListener;

/** Builds the server {@code courier serve-demo} runs: the tutorial's {@code test} and {@link DemoService}. */
public final class DemoServer {

  private DemoServer() {}

  /** Returns a builder with every demo method registered, for the caller to set host and port. */
  public static RpcServerBuilder builder() {
    DemoService.Impl demo = new DemoService.Impl();
    return RpcServer.builder()
        .method("test", TutorialFunctions::test)
        .service(DemoService.class, demo)
        .listener(new ServerListener() {
          @Override
          public void started(RpcServer server) {
            demo.serving(Endpoint.of(server.localAddress().getHostString(), server.port()).toString());
          }
        });
  }
}
