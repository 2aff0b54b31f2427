package io.meshwork.proxy.tls;

import io.meshwork.proxy.cluster.UpstreamTls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * Client contexts for servers outside the mesh (DestinationRule SIMPLE and MUTUAL). The files are
 * read once per distinct setting and the context kept across snapshots, so only the first
 * connection of a new setting pays for loading them.
 */
final class ExternalTlsContexts {
  private record Key(UpstreamTls tls, boolean http2) {}

  private final Map<Key, SslContext> contexts = new ConcurrentHashMap<>();

  SslContext context(UpstreamTls tls, boolean http2) {
    return contexts.computeIfAbsent(new Key(tls, http2), ExternalTlsContexts::build);
  }

  private static SslContext build(Key key) {
    SslContextBuilder builder = SslContextBuilder.forClient()
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols("TLSv1.3", "TLSv1.2")
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            key.http2() ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1));
    switch (key.tls()) {
      case UpstreamTls.Simple s -> verify(builder, s.caCertificates(), s.insecureSkipVerify());
      case UpstreamTls.Mutual m -> {
        verify(builder, m.caCertificates(), m.insecureSkipVerify());
        builder.keyManager(new File(m.clientCertificate()), new File(m.privateKey()));
      }
      case UpstreamTls.Plaintext p -> throw new IllegalArgumentException("tls: plaintext (expected: SIMPLE or MUTUAL)");
      case UpstreamTls.IstioMutual m -> throw new IllegalArgumentException("tls: ISTIO_MUTUAL (expected: SIMPLE or MUTUAL)");
    }
    try {
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException("tls: cannot load " + key.tls() + ": " + e.getMessage(), e);
    }
  }

  /** Istio: the server's certificate chains to caCertificates (system roots when unset) and names the host (RFC 6125). */
  private static void verify(SslContextBuilder builder, String caCertificates, boolean insecureSkipVerify) {
    if (insecureSkipVerify) {
      builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
      return;
    }
    if (caCertificates != null && !caCertificates.isBlank()) {
      builder.trustManager(new File(caCertificates));
    }
    builder.endpointIdentificationAlgorithm("HTTPS");
  }
}
