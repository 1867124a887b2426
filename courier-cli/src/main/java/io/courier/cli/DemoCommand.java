package io.courier.cli;

import io.courier.examples.tutorial.TutorialDemo;
import java.io.PrintStream;
import java.util.List;

/** {@code courier demo}: the tutorial's scenario, a server and a client in one process. */
final class DemoCommand {

  private DemoCommand() {}

  static int run(List<String> args, PrintStream out) {
    if (!args.isEmpty()) {
      throw new Main.UsageException("demo takes no arguments, got " + args);
    }
    TutorialDemo.run(out);
    return 0;
  }
}
