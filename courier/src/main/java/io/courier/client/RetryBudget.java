package io.courier.client;

/**
 * Caps retries so that they cannot multiply load on a struggling server (Finagle's retry budget): every call
 * deposits 0.2 of a retry, ten retries a second are always allowed, and unused allowance expires, so that
 * retries stay within about 20 % of calls plus 10 per second. Thread-safe.
 */
final class RetryBudget {

  static final double PER_CALL = 0.2;
  static final double PER_SECOND = 10;
  /** Allowance older than this is gone: a burst of calls long ago does not fund a retry storm now. */
  static final double MAX_BALANCE = PER_SECOND * 10;

  private double balance = PER_SECOND;
  private long refilledAt = System.nanoTime();

  synchronized void deposit() {
    refill();
    balance = Math.min(MAX_BALANCE, balance + PER_CALL);
  }

  /** Takes one retry from the budget; false when it is spent. */
  synchronized boolean tryWithdraw() {
    refill();
    if (balance < 1) {
      return false;
    }
    balance -= 1;
    return true;
  }

  private void refill() {
    long now = System.nanoTime();
    balance = Math.min(MAX_BALANCE, balance + (now - refilledAt) / 1e9 * PER_SECOND);
    refilledAt = now;
  }
}
