package io.meshwork.control.tls;

import io.meshwork.control.ca.CertificateAuthority;
import io.meshwork.control.ca.IssuedCertificate;
import io.meshwork.model.identity.SpiffeId;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * The API's server certificate, issued by the control plane's own CA to
 * {@code spiffe://<td>/ns/meshwork-system/sa/control-plane} with DNS {@code localhost} and the loopback addresses as
 * well, so a standard HTTPS client that trusts {@code ca.pem} verifies it by host name (RFC 9110 §4.3.4). The key
 * never leaves this process. The certificate is renewed at half its lifetime, the way sidecars renew theirs, and
 * each renewal yields a new {@link SslContext} for the connections that follow.
 */
public final class ServingCertificate implements Supplier<SslContext> {
  public static final String NAMESPACE = "meshwork-system";
  public static final String SERVICE_ACCOUNT = "control-plane";
  static final Duration LIFETIME = Duration.ofHours(24);

  private final CertificateAuthority ca;
  private final Clock clock;
  private final List<String> dnsNames;
  private final List<InetAddress> addresses;
  private final BundleTrustManager trustManager;
  private volatile Current current;

  private record Current(IssuedCertificate issued, X509Certificate certificate, SslContext context) {}

  private ServingCertificate(CertificateAuthority ca, Clock clock, List<String> dnsNames,
      List<InetAddress> addresses) {
    this.ca = ca;
    this.clock = clock;
    this.dnsNames = List.copyOf(dnsNames);
    this.addresses = List.copyOf(addresses);
    this.trustManager = new BundleTrustManager(ca, clock);
  }

  /** Issues the first certificate for a server listening on {@code listen}. */
  public static ServingCertificate issue(CertificateAuthority ca, Clock clock, InetSocketAddress listen) {
    List<InetAddress> addresses = new ArrayList<>();
    try {
      addresses.add(InetAddress.getByName("127.0.0.1"));
      addresses.add(InetAddress.getByName("::1"));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("loopback addresses", e);
    }
    InetAddress bound = listen.getAddress();
    List<String> dns = new ArrayList<>(List.of("localhost"));
    if (bound != null && bound.isAnyLocalAddress()) {
      // Listening everywhere: clients on other machines reach us by this host's addresses and name.
      machineAddresses().stream().filter(a -> !addresses.contains(a)).forEach(addresses::add);
      try {
        String host = InetAddress.getLocalHost().getHostName();
        if (!host.isEmpty() && !Character.isDigit(host.charAt(0)) && !host.contains(":") && !dns.contains(host)) {
          dns.add(host);
        }
      } catch (UnknownHostException e) {
        // No resolvable host name: addresses must do.
      }
    } else if (bound != null && !addresses.contains(bound)) {
      addresses.add(bound);
    }
    if (listen.getHostString() != null && !listen.getHostString().equals("localhost")
        && !Character.isDigit(listen.getHostString().charAt(0)) && !listen.getHostString().contains(":")) {
      dns.add(listen.getHostString());
    }
    ServingCertificate serving = new ServingCertificate(ca, clock, dns, addresses);
    serving.renew();
    return serving;
  }

  public static SpiffeId identity(String trustDomain) {
    return SpiffeId.forWorkload(trustDomain, NAMESPACE, SERVICE_ACCOUNT);
  }

  /** The context for the next connection. */
  @Override
  public SslContext get() {
    return current.context();
  }

  public X509Certificate certificate() {
    return current.certificate();
  }

  /**
   * Renews when half the lifetime has passed, or when the root that signed the certificate left the bundle.
   *
   * @return whether a new certificate was issued
   */
  public boolean renewIfDue() {
    Current now = current;
    Instant notBefore = now.issued().notBefore();
    Instant half = notBefore.plus(Duration.between(notBefore, now.issued().notAfter()).dividedBy(2));
    boolean signerTrusted = ca.trustBundle().roots().stream()
        .anyMatch(root -> root.getSubjectX500Principal().equals(now.certificate().getIssuerX500Principal())
            && verifies(now.certificate(), root));
    if (clock.instant().isBefore(half) && signerTrusted) {
      return false;
    }
    renew();
    return true;
  }

  private synchronized void renew() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = generator.generateKeyPair();
      IssuedCertificate issued = ca.issueServing(keys.getPublic(), identity(ca.trustDomain()), dnsNames, addresses,
          LIFETIME);
      X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
          new ByteArrayInputStream(issued.certificateChainPem().getBytes(StandardCharsets.US_ASCII)));
      // Client certificates are optional: standard HTTPS clients authenticate with a bearer token instead.
      SslContext context = SslContextBuilder.forServer(keys.getPrivate(), certificate)
          .sslProvider(SslProvider.JDK)
          .protocols("TLSv1.3", "TLSv1.2")
          .trustManager(trustManager)
          .clientAuth(ClientAuth.OPTIONAL)
          .build();
      current = new Current(issued, certificate, context);
    } catch (GeneralSecurityException | SSLException e) {
      throw new IllegalStateException("cannot make the API's serving certificate", e);
    }
  }

  /** Addresses of the interfaces that are up, without link-local ones (they need a scope to be usable). */
  private static List<InetAddress> machineAddresses() {
    List<InetAddress> found = new ArrayList<>();
    try {
      for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp() && !nic.isLoopback()) {
          nic.inetAddresses().filter(a -> !a.isLinkLocalAddress())
              .map(ServingCertificate::withoutScope).forEach(found::add);
        }
      }
    } catch (SocketException e) {
      // Interfaces cannot be listed: loopback names still work.
    }
    return found;
  }

  private static InetAddress withoutScope(InetAddress address) {
    try {
      return InetAddress.getByAddress(address.getAddress());
    } catch (UnknownHostException e) {
      return address;
    }
  }

  private static boolean verifies(X509Certificate leaf, X509Certificate root) {
    try {
      leaf.verify(root.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
