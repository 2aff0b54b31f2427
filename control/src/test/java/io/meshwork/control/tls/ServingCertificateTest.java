package io.meshwork.control.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ca.CaConfig;
import io.meshwork.control.ca.CertificateAuthority;
import io.meshwork.control.ca.InMemoryCaStorage;
import io.meshwork.control.store.MutableClock;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingCertificateTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
  private final CertificateAuthority ca =
      CertificateAuthority.open(new InMemoryCaStorage(), CaConfig.defaults(), clock);

  private static List<String> sans(X509Certificate certificate) throws Exception {
    return certificate.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
  }

  @Test
  void namesTheControlPlaneAndTheLoopbackNames() throws Exception {
    ServingCertificate serving = ServingCertificate.issue(ca, clock, new InetSocketAddress("127.0.0.1", 0));
    X509Certificate certificate = serving.certificate();

    assertThat(sans(certificate)).startsWith("spiffe://cluster.local/ns/meshwork-system/sa/control-plane")
        .contains("localhost", "127.0.0.1");
    assertThat(certificate.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
    certificate.verify(ca.rootCertificate().getPublicKey());
    assertThat(serving.get().isServer()).isTrue();
  }

  @Test
  void listeningEverywhereAlsoNamesTheMachine() throws Exception {
    ServingCertificate serving = ServingCertificate.issue(ca, clock, new InetSocketAddress("0.0.0.0", 0));
    assertThat(sans(serving.certificate())).contains("localhost", "127.0.0.1").doesNotContain("0.0.0.0");
  }

  @Test
  void renewsAtHalfLifeAndWhenItsRootLeavesTheBundle() throws Exception {
    ServingCertificate serving = ServingCertificate.issue(ca, clock, new InetSocketAddress("127.0.0.1", 0));
    X509Certificate first = serving.certificate();

    clock.advance(Duration.ofHours(11));
    assertThat(serving.renewIfDue()).isFalse();
    clock.advance(Duration.ofHours(1).plusMinutes(1));
    assertThat(serving.renewIfDue()).isTrue();
    X509Certificate second = serving.certificate();
    assertThat(second).isNotEqualTo(first);
    assertThat(second.getPublicKey()).isNotEqualTo(first.getPublicKey());

    // Rotate at once, then let the old root's leaves expire so pruning drops it: the API must move over.
    ca.stageRoot(Duration.ZERO);
    ca.activateStagedRoot();
    assertThat(serving.renewIfDue()).isFalse();
    clock.advance(Duration.ofHours(25));
    assertThat(ca.pruneTrustBundle()).hasSize(1);
    assertThat(serving.renewIfDue()).isTrue();
    serving.certificate().verify(ca.rootCertificate().getPublicKey());
  }
}
