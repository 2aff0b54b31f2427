package io.meshwork.proxy.tls;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.security.TrustAnchors;
import io.meshwork.proxy.security.WorkloadCsr;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A certificate authority for tests: a self-signed EC root that signs SVIDs from real PKCS#10
 * requests, and server certificates with DNS/IP names for the SIMPLE and MUTUAL cases.
 */
final class TestCa implements CertificateAuthority {
  static final String TRUST_DOMAIN = "cluster.local";
  private static final SecureRandom RANDOM = new SecureRandom();

  final KeyPair rootKeys;
  final X509Certificate root;
  private final Clock clock;
  final AtomicInteger issued = new AtomicInteger();
  volatile boolean failing;

  TestCa(String name, Clock clock) throws Exception {
    this.clock = clock;
    this.rootKeys = ecKey();
    X500Name subject = new X500Name("O=Meshwork,CN=" + name);
    Instant now = clock.instant();
    var builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofDays(1))),
        Date.from(now.plus(Duration.ofDays(365))), subject, rootKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    this.root = sign(builder);
  }

  TestCa(String name) throws Exception {
    this(name, Clock.systemUTC());
  }

  TrustAnchors anchors() {
    return new TrustAnchors(List.of(root));
  }

  static SpiffeId workload(String namespace, String serviceAccount) {
    return SpiffeId.forWorkload(TRUST_DOMAIN, namespace, serviceAccount);
  }

  /** A fixed identity valid for a day. */
  WorkloadIdentity fixedIdentity(SpiffeId id) throws Exception {
    KeyPair keys = ecKey();
    Instant now = clock.instant();
    X509Certificate leaf = svid(keys.getPublic(), id, now.minusSeconds(60), now.plus(Duration.ofDays(1)));
    return WorkloadIdentity.fixed(id, keys.getPrivate(), List.of(leaf), anchors());
  }

  @Override
  public Issued issue(WorkloadCsr csr, Duration ttl, WorkloadCredentials current) throws IOException {
    if (failing) {
      throw new IOException("CA unavailable");
    }
    try (PEMParser parser = new PEMParser(new StringReader(csr.csrPem()))) {
      var request = new JcaPKCS10CertificationRequest((PKCS10CertificationRequest) parser.readObject());
      Instant now = clock.instant();
      X509Certificate leaf = svid(request.getPublicKey(), csr.identity(), now, now.plus(ttl));
      issued.incrementAndGet();
      return new Issued(List.of(leaf), anchors());
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  @Override
  public Optional<Bundle> trustBundle(String etag) {
    String tag = root.getSerialNumber().toString(16);
    return tag.equals(etag) ? Optional.empty() : Optional.of(new Bundle(anchors(), tag));
  }

  X509Certificate svid(PublicKey key, SpiffeId id, Instant notBefore, Instant notAfter) throws Exception {
    var builder = leafBuilder(key, notBefore, notAfter);
    builder.addExtension(Extension.subjectAlternativeName, true,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString())));
    return sign(builder);
  }

  /** A server certificate for {@code localhost} and 127.0.0.1, as an external service would have. */
  X509Certificate server(PublicKey key) throws Exception {
    Instant now = clock.instant();
    var builder = leafBuilder(key, now.minusSeconds(60), now.plus(Duration.ofDays(1)));
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    return sign(builder);
  }

  private JcaX509v3CertificateBuilder leafBuilder(PublicKey key, Instant notBefore, Instant notAfter) throws Exception {
    var builder = new JcaX509v3CertificateBuilder(root, serial(), Date.from(notBefore), Date.from(notAfter),
        new X500Name("O=Meshwork"), key);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    builder.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    return builder;
  }

  static KeyPair ecKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  static Path writePem(Path file, X509Certificate certificate) throws Exception {
    return Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
        + "\n-----END CERTIFICATE-----\n");
  }

  static Path writeKey(Path file, PrivateKey key) throws Exception {
    return Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
  }

  static String pem(Object o) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(o);
    }
    return out.toString();
  }

  private X509Certificate sign(JcaX509v3CertificateBuilder builder) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(rootKeys.getPrivate())));
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).setBit(126);
  }
}
