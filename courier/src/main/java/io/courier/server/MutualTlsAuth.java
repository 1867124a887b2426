package io.courier.server;

import static java.util.Objects.requireNonNull;

import io.courier.Identity;
import io.courier.RpcContext;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Authenticates callers by the client certificate of a mutual-TLS connection (the server's TLS must ask for
 * one: {@code ServerTls.ClientAuth.REQUIRE} or {@code OPTIONAL}). The TLS handshake has already proved that
 * the certificate chains to a trusted authority; this maps it to an identity. Immutable and thread-safe.
 *
 * <pre>{@code
 * RpcServer.builder().intercept(MutualTlsAuth.byCommonName(Map.of("billing-service", Set.of("admin"))))
 * }</pre>
 */
public final class MutualTlsAuth extends AuthInterceptor {

  private final Function<X509Certificate, Identity> identities;

  private MutualTlsAuth(Function<X509Certificate, Identity> identities) {
    this.identities = identities;
  }

  /**
   * Maps each certificate to an identity with {@code identities}, which returns null for a certificate it
   * does not accept.
   */
  public static MutualTlsAuth of(Function<X509Certificate, Identity> identities) {
    return new MutualTlsAuth(requireNonNull(identities, "identities"));
  }

  /**
   * Accepts certificates whose subject's common name (CN) is a key of {@code rolesByCommonName}; the identity
   * is named after it and has its roles.
   */
  public static MutualTlsAuth byCommonName(Map<String, Set<String>> rolesByCommonName) {
    Map<String, Set<String>> roles = Map.copyOf(rolesByCommonName);
    return of(certificate -> {
      String name = commonName(certificate);
      return name != null && roles.containsKey(name) ? new Identity(name, roles.get(name)) : null;
    });
  }

  /** Returns the common name (CN) of a certificate's subject, or null when it has none. */
  public static String commonName(X509Certificate certificate) {
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  @Override
  protected Identity authenticate(RpcContext context) {
    return context.peer().peerCertificate().map(identities).orElse(null);
  }
}
