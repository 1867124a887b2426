package io.courier.client;

import java.util.List;
import java.util.Map;

/** The tutorial's call shape, positional and keyword arguments together, as the seed dialect carries them. */
record ArgsAndKwargs(List<?> args, Map<String, ?> kwargs) {

  /**
   * Returns the params to send in {@code dialect}: this, for the seed dialect; for JSON-RPC, params by
   * position or by name, whichever is given.
   */
  Object forDialect(Dialect dialect) {
    if (dialect == Dialect.SEED) {
      return this;
    }
    if (!args.isEmpty() && !kwargs.isEmpty()) {
      throw new IllegalArgumentException("JSON-RPC carries params by position or by name, not both (use the "
          + "seed dialect to send args and kwargs together)");
    }
    return kwargs.isEmpty() ? args.toArray() : kwargs;
  }
}
