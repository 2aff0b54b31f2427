package io.meshwork.control.ca;

import io.meshwork.model.identity.SpiffeId;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds leaf certificates with the X.509-SVID profile (SPIFFE X509-SVID.md §4). */
final class SvidSigner {
  /**
   * The subject is empty: the SPIFFE ID is the identity, and RFC 5280 §4.2.1.6 then requires the
   * SAN extension to be critical.
   */
  private static final X500Name EMPTY_SUBJECT = new X500Name(new org.bouncycastle.asn1.x500.RDN[0]);

  private SvidSigner() {}

  /**
   * @param extraNames DNS and IP SANs besides the SPIFFE ID, for a mesh component that standard HTTPS clients
   *     verify by host name (RFC 9110 §4.3.4); workload SVIDs carry none
   */
  static X509Certificate sign(RootKey root, SigningRequest request, SpiffeId identity, List<GeneralName> extraNames,
      BigInteger serial, Instant notBefore, Instant notAfter) {
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
          X500Name.getInstance(root.certificate().getSubjectX500Principal().getEncoded()),
          serial, Date.from(notBefore), Date.from(notAfter), EMPTY_SUBJECT, request.publicKey());
      // §4.1: a leaf SVID is not a CA.
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      // §4.3: digitalSignature; keyEncipherment as well for RSA key exchange; never keyCertSign/cRLSign.
      int usage = KeyUsage.digitalSignature | (request.rsa() ? KeyUsage.keyEncipherment : 0);
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      // §4.4: the same SVID serves as client and server certificate in mutual TLS.
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      // §2: exactly one URI SAN, the SPIFFE ID; whatever the CSR asked for is ignored. DNS and IP SANs
      // may accompany it (X509-SVID §4.2 constrains only the URI SAN).
      List<GeneralName> names = new ArrayList<>();
      names.add(new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString()));
      names.addAll(extraNames);
      builder.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          utils.createAuthorityKeyIdentifier(root.certificate()));
      builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(request.publicKey()));
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(root.signatureAlgorithm()).build(root.privateKey())));
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot sign an X.509-SVID for " + identity, e);
    }
  }
}
