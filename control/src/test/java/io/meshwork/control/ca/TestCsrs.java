package io.meshwork.control.ca;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** PKCS#10 requests of every shape the CA must accept or refuse. */
public final class TestCsrs {
  private TestCsrs() {}

  public static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve));
    return generator.generateKeyPair();
  }

  static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(bits);
    return generator.generateKeyPair();
  }

  static KeyPair ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  public static String csr(KeyPair keys, String subject, String... uriSans) throws Exception {
    return pem(build(keys, subject, uriSans));
  }

  /** A request whose signature was made by another key than the one it carries. */
  static String csrSignedByOtherKey(KeyPair keys) throws Exception {
    KeyPair other = ec("secp256r1");
    var builder = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), keys.getPublic());
    return pem(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(other.getPrivate())));
  }

  private static PKCS10CertificationRequest build(KeyPair keys, String subject, String... uriSans) throws Exception {
    var builder = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic());
    if (uriSans.length > 0) {
      GeneralName[] names = new GeneralName[uriSans.length];
      for (int i = 0; i < uriSans.length; i++) {
        names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uriSans[i]);
      }
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
    }
    String algorithm = switch (keys.getPublic().getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> "SHA256withECDSA";
    };
    return builder.build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate()));
  }

  private static String pem(PKCS10CertificationRequest csr) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(csr);
    }
    return out.toString();
  }
}
