package io.meshwork.proxy.security;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Netty TLS contexts for sidecar-to-sidecar mutual TLS with X.509-SVIDs: TLS 1.3 or 1.2 (Istio's
 * minimum), the client certificate required, peers checked by {@link SvidTrustManager}, and ALPN
 * offering {@code protocols} (e.g. "h2"). BoringSSL through netty-tcnative when it loads, the
 * JDK provider otherwise.
 */
public final class MtlsContexts {
  static final String[] TLS_VERSIONS = {"TLSv1.3", "TLSv1.2"};

  private MtlsContexts() {}

  /** The inbound side: presents {@code chain} and requires an SVID from every client. */
  public static SslContext server(PrivateKey key, List<X509Certificate> chain, SvidTrustManager peers,
      String... protocols) throws SSLException {
    SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
        .clientAuth(ClientAuth.REQUIRE)
        .trustManager(peers);
    return configure(builder, protocols).build();
  }

  /**
   * The outbound side. Host name verification is off on purpose: the server is identified by
   * its SPIFFE ID, which {@code peers} checks.
   */
  public static SslContext client(PrivateKey key, List<X509Certificate> chain, SvidTrustManager peers,
      String... protocols) throws SSLException {
    SslContextBuilder builder = SslContextBuilder.forClient()
        .keyManager(key, chain)
        .trustManager(peers)
        .endpointIdentificationAlgorithm(null);
    return configure(builder, protocols).build();
  }

  private static SslContextBuilder configure(SslContextBuilder builder, String... protocols) {
    builder.sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).protocols(TLS_VERSIONS);
    if (protocols.length > 0) {
      builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols));
    }
    return builder;
  }
}
