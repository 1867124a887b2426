package io.courier.peer;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What failed, found inside the wrappers futures put around it. Stateless. */
public final class Failures {

  private Failures() {}

  /**
   * Returns the failure inside {@code t}'s {@link CompletionException}s and {@link ExecutionException}s (a future's
   * stages wrap what failed them), or {@code t} itself; null for null.
   */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
