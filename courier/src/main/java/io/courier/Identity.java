package io.courier;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Who is calling, as an authentication interceptor established it: a name for logs and the roles that
 * {@link io.courier.RolesAllowed} rules check. Immutable.
 *
 * @param name  the caller's name, such as a user or service name, or a certificate's subject
 * @param roles the roles the caller has
 */
public record Identity(String name, Set<String> roles) {

  public Identity {
    requireNonNull(name, "name");
    roles = Set.copyOf(roles);
  }

  /** Returns an identity with these roles. */
  public static Identity of(String name, String... roles) {
    return new Identity(name, Set.of(roles));
  }

  /** Returns whether the caller has {@code role}. */
  public boolean hasRole(String role) {
    return roles.contains(role);
  }
}
