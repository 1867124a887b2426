package io.courier.server;

import static java.util.Objects.requireNonNull;

import io.courier.Identity;
import io.courier.RpcContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;

/**
 * Authenticates callers by bearer token: an {@code Authorization: Bearer} header on HTTP (and on the request
 * that opened a WebSocket), or the token a connection sent with {@code $/authenticate} (raw TCP, or WebSocket
 * from a browser, which cannot set headers). Tokens are compared in constant time, as SHA-256 digests, against
 * every known token, so the time taken says nothing about how much of a guess was right; they are never logged.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * RpcServer.builder().intercept(BearerTokenAuth.of(Map.of(secret, Identity.of("billing", "admin"))))
 * }</pre>
 */
public final class BearerTokenAuth extends AuthInterceptor {

  private record Known(byte[] digest, Identity identity) {}

  private final List<Known> known;
  /** A longer token matches none, and is refused without the cost of hashing it. */
  private final int longest;

  private BearerTokenAuth(List<Known> known, int longest) {
    this.known = known;
    this.longest = longest;
  }

  /**
   * Accepts these tokens, each standing for an identity.
   *
   * @throws IllegalArgumentException when there are no tokens or one is blank
   */
  public static BearerTokenAuth of(Map<String, Identity> identitiesByToken) {
    requireNonNull(identitiesByToken, "identitiesByToken");
    if (identitiesByToken.isEmpty()) {
      throw new IllegalArgumentException("identitiesByToken: empty (expected at least one token)");
    }
    return new BearerTokenAuth(identitiesByToken.entrySet().stream()
        .map(e -> {
          if (e.getKey() == null || e.getKey().isBlank()) {
            throw new IllegalArgumentException("identitiesByToken: a token is blank");
          }
          return new Known(digest(e.getKey()), requireNonNull(e.getValue(), "identity"));
        })
        .toList(), identitiesByToken.keySet().stream().mapToInt(String::length).max().orElseThrow());
  }

  @Override
  protected Identity authenticate(RpcContext context) {
    String token = context.bearerToken().orElse(null);
    if (token == null || token.length() > longest) {
      return null;
    }
    byte[] presented = digest(token);
    Identity match = null;
    for (Known candidate : known) { // no early exit: every token is compared
      if (MessageDigest.isEqual(presented, candidate.digest())) {
        match = candidate.identity();
      }
    }
    return match;
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
