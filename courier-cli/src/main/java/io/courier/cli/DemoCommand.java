package io.courier.cli;

import io.courier.examples.tutorial.TutorialDemo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code courier demo}: the tutorial's scenario, a server and a client in one process. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    header = "Play the tutorial's scenario: a server and a client in one process.",
    synopsisHeading = "usage: ",
    description = {"Plays the tutorial's scenario: a server with test registered and a client that calls "
        + "test(\"测试项\", kw1=\"1\")."})
final class DemoCommand implements Callable<Integer> {

  @ParentCommand
  private Main main;

  @Override
  public Integer call() {
    TutorialDemo.run(main.out);
    return Main.OK;
  }
}
