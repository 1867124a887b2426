package io.courier.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What {@code call}, {@code notify} and {@code listen} share: {@code TARGET METHOD [ARGS...]}, the client options
 * and the ways to give params. Picocli reads the annotated fields of this class in each subclass.
 */
abstract class MethodCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "TARGET", description = ClientOptions.TARGET_HELP)
  String target;

  @Parameters(index = "1", paramLabel = "METHOD", description = "The method's name.")
  String method;

  @Parameters(index = "2..*", paramLabel = "ARGS", description = ParamsOptions.ARGS_HELP)
  List<String> args = new ArrayList<>();

  @Mixin
  ClientOptions client;

  @Mixin
  ParamsOptions params;

  @Spec
  CommandSpec spec;

  @ParentCommand
  Main main;
}
