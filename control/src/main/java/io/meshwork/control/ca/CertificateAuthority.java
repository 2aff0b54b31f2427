package io.meshwork.control.ca;

import io.meshwork.control.ca.IssuanceException.Reason;
import io.meshwork.model.identity.SpiffeId;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The mesh's certificate authority. It signs X.509-SVIDs for CSRs whose key stays with the
 * sidecar, with a root it generated on first start or one the operator supplied, and rotates that
 * root without downtime: the old root stays in the {@link TrustBundle} until every leaf it signed
 * has expired ({@link #pruneTrustBundle()}).
 *
 * <p>Thread-safe. State lives in a {@link CaStorage} so a restarted control plane keeps its root,
 * its bundle and its join-token key.
 */
public final class CertificateAuthority {
  static final String ROOT_CERT = "root-cert.pem";
  static final String ROOT_KEY = "root-key.pem";
  static final String TRUST_BUNDLE = "trust-bundle.pem";
  /** Per root, the latest notAfter of a leaf it signed: when it may leave the bundle. */
  static final String LEAF_HORIZONS = "leaf-horizons.txt";
  /** A root that peers already trust but that does not sign yet (two-phase rotation). */
  static final String STAGED_CERT = "staged-root-cert.pem";
  static final String STAGED_KEY = "staged-root-key.pem";
  static final String STAGED_ACTIVATION = "staged-root-activation.txt";
  /** Leaves start this much before "now" so peers whose clocks lag accept them at once. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

  private record State(RootKey root, TrustBundle bundle, Map<String, Instant> horizons, Staged staged) {
    State(RootKey root, TrustBundle bundle, Map<String, Instant> horizons) {
      this(root, bundle, horizons, null);
    }

    State with(TrustBundle nextBundle, Map<String, Instant> nextHorizons) {
      return new State(root, nextBundle, nextHorizons, staged);
    }
  }

  /** A root published in the bundle ahead of signing, and the moment it starts to sign. */
  public record StagedRoot(X509Certificate certificate, Instant activatesAt) {}

  private record Staged(RootKey key, Instant activatesAt) {
    X509Certificate certificate() {
      return key.certificate();
    }

    StagedRoot view() {
      return new StagedRoot(key.certificate(), activatesAt);
    }
  }

  private final CaStorage storage;
  private final CaConfig config;
  private final Clock clock;
  private final JoinTokens joinTokens;
  private final IdentityRevocations revocations;
  private volatile State state;

  private CertificateAuthority(CaStorage storage, CaConfig config, Clock clock, State state) {
    this.storage = storage;
    this.config = config;
    this.clock = clock;
    this.state = state;
    this.revocations = new IdentityRevocations(storage, clock);
    this.joinTokens = new JoinTokens(storage, clock, config.maxTokenTtl(), revocations);
  }

  /** Loads the CA from {@code storage}, generating and storing a root on first start. */
  public static CertificateAuthority open(CaStorage storage, CaConfig config, Clock clock) {
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    String certPem = storage.get(ROOT_CERT).orElse(null);
    String keyPem = storage.get(ROOT_KEY).orElse(null);
    if (certPem == null || keyPem == null) {
      RootKey root = RootFactory.generate(config.trustDomain(), config.rootValidity(), clock);
      State fresh = new State(root, new TrustBundle(List.of(root.certificate())), Map.of());
      persist(storage, fresh);
      return new CertificateAuthority(storage, config, clock, fresh);
    }
    RootKey root = load(certPem, keyPem);
    TrustBundle bundle = storage.get(TRUST_BUNDLE).map(TrustBundle::fromPem)
        .map(b -> b.contains(root.certificate()) ? b : b.withNewest(root.certificate()))
        .orElse(new TrustBundle(List.of(root.certificate())));
    Map<String, Instant> horizons = storage.get(LEAF_HORIZONS).map(CertificateAuthority::parseHorizons).orElse(Map.of());
    Staged staged = loadStaged(storage);
    if (staged != null && !bundle.contains(staged.certificate())) {
      bundle = bundle.withAdded(staged.certificate());
    }
    return new CertificateAuthority(storage, config, clock, new State(root, bundle, horizons, staged));
  }

  /**
   * Makes an operator-supplied root (certificate + unencrypted private key, PEM) the signing root.
   * A different root already in {@code storage} stays in the bundle, as after {@link #rotateRoot()}.
   *
   * @throws IllegalArgumentException when the pair cannot act as a CA: not CA:true, no keyCertSign,
   *     not valid now, or the key does not belong to the certificate
   */
  public static CertificateAuthority importRoot(
      String rootCertPem, String rootKeyPem, CaStorage storage, CaConfig config, Clock clock) {
    RootKey imported = RootFactory.checkImported(load(rootCertPem, rootKeyPem), clock);
    boolean hadRoot = storage.get(ROOT_CERT).isPresent() && storage.get(ROOT_KEY).isPresent();
    if (!hadRoot) {
      State fresh = new State(imported, new TrustBundle(List.of(imported.certificate())), Map.of());
      persist(storage, fresh);
      return new CertificateAuthority(storage, config, clock, fresh);
    }
    CertificateAuthority ca = open(storage, config, clock);
    if (!ca.state.root().certificate().equals(imported.certificate())) {
      ca.replaceRoot(imported);
    }
    return ca;
  }

  public String trustDomain() {
    return config.trustDomain();
  }

  public CaConfig config() {
    return config;
  }

  /** The time tokens, revocations and certificates are measured by. */
  public Clock clock() {
    return clock;
  }

  /** The root that signs new leaves. */
  public X509Certificate rootCertificate() {
    return state.root().certificate();
  }

  /** Every root peers must trust now: the signing root first, then roots still being retired. */
  public TrustBundle trustBundle() {
    return state.bundle();
  }

  public JoinTokens joinTokens() {
    return joinTokens;
  }

  /** Identities whose earlier credentials no longer enrol, renew or read. */
  public IdentityRevocations revocations() {
    return revocations;
  }

  /**
   * Signs an X.509-SVID for {@code identity} certifying the key of {@code csrPem}. The subject and
   * SANs the CSR asks for are ignored: the identity is the caller's decision, never the CSR's.
   *
   * @param ttl lifetime; null for {@link CaConfig#defaultLeafTtl()}; capped at the root's expiry
   * @throws IssuanceException with the reason the request was refused
   */
  public IssuedCertificate issue(String csrPem, SpiffeId identity, Duration ttl) {
    requireOwnTrustDomain(identity);
    Duration lifetime = lifetime(ttl);
    return sign(SigningRequest.verify(csrPem), identity, List.of(), lifetime);
  }

  /**
   * Signs for the identity a join token grants. The identity comes from the token alone; a CSR
   * that asks for any other URI SAN is refused rather than silently corrected, since it means the
   * sidecar believes it is someone else.
   *
   * @throws IssuanceException {@code BAD_TOKEN} for a missing, forged, malformed or expired token,
   *     {@code IDENTITY_MISMATCH} when the CSR asks for another identity, or a CSR problem
   */
  public IssuedCertificate issueForToken(String token, String csrPem, Duration ttl) {
    SpiffeId identity = switch (joinTokens.verify(token)) {
      case JoinTokens.Valid valid -> valid.identity();
      case JoinTokens.Invalid invalid -> throw new IssuanceException(
          invalid.failure() == JoinTokens.Failure.IDENTITY_REVOKED ? Reason.REVOKED_IDENTITY : Reason.BAD_TOKEN,
          invalid.message());
    };
    return issueChecked(identity, csrPem, ttl, "the identity of the token");
  }

  /**
   * Renews the SVID of a workload that proved {@code identity} with a certificate this CA issued (mutual TLS to
   * the API). As with a token, a CSR that asks for another identity is refused.
   */
  public IssuedCertificate renew(SpiffeId identity, String csrPem, Duration ttl) {
    return issueChecked(identity, csrPem, ttl, "the identity of the client certificate");
  }

  /**
   * Signs a serving certificate for a mesh component whose key is generated in this process (the control
   * plane's own API): the SPIFFE ID plus DNS names and IP addresses, so that both SPIFFE-aware peers and
   * standard HTTPS clients can verify it.
   */
  public IssuedCertificate issueServing(PublicKey key, SpiffeId identity, List<String> dnsNames,
      List<InetAddress> addresses, Duration ttl) {
    requireOwnTrustDomain(identity);
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    addresses.forEach(a -> names.add(new GeneralName(GeneralName.iPAddress, a.getHostAddress())));
    SigningRequest request = new SigningRequest(SubjectPublicKeyInfo.getInstance(key.getEncoded()),
        key instanceof RSAPublicKey, List.of());
    return sign(request, identity, List.copyOf(names), lifetime(ttl));
  }

  private IssuedCertificate issueChecked(SpiffeId identity, String csrPem, Duration ttl, String proof) {
    requireOwnTrustDomain(identity);
    SigningRequest request = SigningRequest.verify(csrPem);
    for (String uri : request.requestedUris()) {
      if (!uri.equals(identity.toString())) {
        throw new IssuanceException(Reason.IDENTITY_MISMATCH,
            "csr URI SAN: " + uri + " (expected: " + identity + ", " + proof + ")");
      }
    }
    return sign(request, identity, List.of(), lifetime(ttl));
  }

  /**
   * Generates a new root that signs every leaf from now on; the previous root stays in the bundle
   * until {@link #pruneTrustBundle()} finds all its leaves expired.
   *
   * @return the new bundle, to push to every sidecar
   */
  public TrustBundle rotateRoot() {
    return replaceRoot(RootFactory.generate(config.trustDomain(), config.rootValidity(), clock));
  }

  /**
   * The first phase of a rotation without failed requests: a new root joins the bundle now but signs only from
   * {@code now + activationDelay}, once every sidecar has fetched the bundle that trusts it. Until then a peer
   * with the old bundle never meets a leaf it cannot verify. A root staged earlier is replaced.
   *
   * @return the staged root; {@link #activateStagedRoot()} makes it sign once due
   */
  public synchronized StagedRoot stageRoot(Duration activationDelay) {
    if (activationDelay == null || activationDelay.isNegative()) {
      throw new IllegalArgumentException("activationDelay: " + activationDelay + " (expected: >= 0)");
    }
    State current = state;
    RootKey next = RootFactory.generate(config.trustDomain(), config.rootValidity(), clock);
    TrustBundle bundle = current.bundle();
    if (current.staged() != null) {
      bundle = bundle.without(current.staged().certificate());
    }
    Staged staged = new Staged(next, clock.instant().plus(activationDelay));
    State updated = new State(current.root(), bundle.withAdded(next.certificate()), current.horizons(), staged);
    // The bundle that trusts the new root is stored before the root is, as in persist().
    storage.put(TRUST_BUNDLE, updated.bundle().toPem());
    storage.put(STAGED_KEY, PemCodec.privateKey(next.privateKey()));
    storage.put(STAGED_CERT, PemCodec.certificate(next.certificate()));
    storage.put(STAGED_ACTIVATION, staged.activatesAt().toString());
    state = updated;
    return staged.view();
  }

  /** The root waiting to sign, if a rotation is under way. */
  public java.util.Optional<StagedRoot> stagedRoot() {
    return java.util.Optional.ofNullable(state.staged()).map(Staged::view);
  }

  /**
   * Makes the staged root sign if its activation time has come; the previous root stays trusted until its leaves
   * expire. Call it periodically.
   *
   * @return whether the signing root changed
   */
  public synchronized boolean activateStagedRoot() {
    State current = state;
    Staged staged = current.staged();
    if (staged == null || clock.instant().isBefore(staged.activatesAt())) {
      return false;
    }
    State rotated = new State(staged.key(), current.bundle().withNewest(staged.certificate()), current.horizons());
    persist(storage, rotated);
    storage.put(STAGED_ACTIVATION, "");
    state = rotated;
    return true;
  }

  /**
   * Drops from the bundle every non-signing root whose leaves have all expired (or that expired
   * itself). Call it periodically; it is cheap when nothing is due.
   *
   * @return the roots removed
   */
  public synchronized List<X509Certificate> pruneTrustBundle() {
    State current = state;
    Instant now = clock.instant();
    List<X509Certificate> removed = new ArrayList<>();
    TrustBundle bundle = current.bundle();
    Map<String, Instant> horizons = new HashMap<>(current.horizons());
    for (X509Certificate root : current.bundle().roots()) {
      if (root.equals(current.root().certificate())
          || (current.staged() != null && root.equals(current.staged().certificate()))) {
        continue;
      }
      String fingerprint = TrustBundle.fingerprint(root);
      Instant horizon = horizons.getOrDefault(fingerprint, Instant.MIN);
      if (!now.isBefore(horizon) || !now.isBefore(root.getNotAfter().toInstant())) {
        removed.add(root);
        bundle = bundle.without(root);
        horizons.remove(fingerprint);
      }
    }
    if (!removed.isEmpty()) {
      State next = current.with(bundle, Map.copyOf(horizons));
      persist(storage, next);
      state = next;
    }
    return List.copyOf(removed);
  }

  /** When {@code root} may leave the bundle: the latest expiry of a leaf it signed, if any. */
  public java.util.Optional<Instant> leafHorizon(X509Certificate root) {
    return java.util.Optional.ofNullable(state.horizons().get(TrustBundle.fingerprint(root)));
  }

  private synchronized TrustBundle replaceRoot(RootKey next) {
    State current = state;
    TrustBundle bundle = current.bundle();
    if (current.staged() != null) {
      bundle = bundle.without(current.staged().certificate());
      storage.put(STAGED_ACTIVATION, "");
    }
    State rotated = new State(next, bundle.withNewest(next.certificate()), current.horizons());
    persist(storage, rotated);
    state = rotated;
    return rotated.bundle();
  }

  private void requireOwnTrustDomain(SpiffeId identity) {
    Objects.requireNonNull(identity, "identity");
    if (!identity.memberOf(config.trustDomain())) {
      throw new IssuanceException(Reason.FOREIGN_TRUST_DOMAIN,
          "identity: " + identity + " (expected: in trust domain " + config.trustDomain() + ")");
    }
  }

  private Duration lifetime(Duration ttl) {
    Duration lifetime = ttl == null ? config.defaultLeafTtl() : ttl;
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(config.maxLeafTtl()) > 0) {
      throw new IssuanceException(Reason.INVALID_TTL,
          "ttl: " + lifetime + " (expected: > 0 and <= " + config.maxLeafTtl() + ")");
    }
    return lifetime;
  }

  /**
   * Serialized with rotation and pruning, so a leaf is never signed by a root that is leaving the
   * bundle at that moment. Issuance is rare (one CSR per workload per renewal): the lock is cheap.
   */
  private synchronized IssuedCertificate sign(SigningRequest request, SpiffeId identity, List<GeneralName> extraNames,
      Duration lifetime) {
    State current = state;
    RootKey root = current.root();
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant rootNotBefore = root.certificate().getNotBefore().toInstant();
    Instant rootNotAfter = root.certificate().getNotAfter().toInstant();
    Instant notBefore = max(now.minus(CLOCK_SKEW), rootNotBefore);
    // After a revocation the backdating stops at the cut-off, so this leaf is told apart from the revoked ones.
    Instant cutoff = revocations.cutoff(identity).orElse(null);
    if (cutoff != null && cutoff.isAfter(notBefore) && !cutoff.isAfter(now)) {
      notBefore = cutoff;
    }
    Instant notAfter = min(now.plus(lifetime), rootNotAfter);
    if (!notAfter.isAfter(now)) {
      throw new IllegalStateException("root certificate expired at " + rootNotAfter + "; rotate the root");
    }
    BigInteger serial = RootFactory.randomSerial();
    X509Certificate leaf = SvidSigner.sign(root, request, identity, extraNames, serial, notBefore, notAfter);
    recordHorizon(root, notAfter);
    return new IssuedCertificate(identity, PemCodec.certificate(leaf), state.bundle().toPem(),
        serial.toString(16), notBefore, notAfter);
  }

  private void recordHorizon(RootKey root, Instant notAfter) {
    State current = state;
    String fingerprint = root.fingerprint();
    Instant known = current.horizons().get(fingerprint);
    if (known != null && !notAfter.isAfter(known)) {
      return;
    }
    Map<String, Instant> horizons = new HashMap<>(current.horizons());
    horizons.put(fingerprint, notAfter);
    State next = current.with(current.bundle(), Map.copyOf(horizons));
    // Stored before the leaf is handed out, so a restart never forgets a root still in use.
    storage.put(LEAF_HORIZONS, formatHorizons(next.horizons()));
    state = next;
  }

  private static RootKey load(String certPem, String keyPem) {
    List<X509Certificate> certificates = PemCodec.parseCertificates("root certificate", certPem);
    if (certificates.size() != 1) {
      throw new IllegalArgumentException("root certificate: " + certificates.size()
          + " certificates (expected: exactly 1)");
    }
    return new RootKey(certificates.get(0), PemCodec.parsePrivateKey("root key", keyPem));
  }

  /** The staged root, or null when none is stored or it was activated (the activation time is then blank). */
  private static Staged loadStaged(CaStorage storage) {
    String activation = storage.get(STAGED_ACTIVATION).map(String::strip).orElse("");
    if (activation.isEmpty()) {
      return null;
    }
    RootKey key = load(storage.get(STAGED_CERT).orElse(null), storage.get(STAGED_KEY).orElse(null));
    try {
      return new Staged(key, Instant.parse(activation));
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalStateException(STAGED_ACTIVATION + ": " + activation + " (expected: an instant)", e);
    }
  }

  private static void persist(CaStorage storage, State state) {
    // The bundle goes first: a crash between the writes must not leave a signing root untrusted.
    storage.put(TRUST_BUNDLE, state.bundle().toPem());
    storage.put(ROOT_CERT, PemCodec.certificate(state.root().certificate()));
    storage.put(ROOT_KEY, PemCodec.privateKey(state.root().privateKey()));
    storage.put(LEAF_HORIZONS, formatHorizons(state.horizons()));
  }

  private static String formatHorizons(Map<String, Instant> horizons) {
    return horizons.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining("\n", "", horizons.isEmpty() ? "" : "\n"));
  }

  private static Map<String, Instant> parseHorizons(String text) {
    Map<String, Instant> horizons = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] parts = line.strip().split(" ");
      if (parts.length == 2) {
        try {
          horizons.put(parts[0], Instant.parse(parts[1]));
        } catch (java.time.format.DateTimeParseException e) {
          throw new IllegalStateException(LEAF_HORIZONS + ": " + line + " (expected: <sha256> <instant>)", e);
        }
      }
    }
    return Map.copyOf(horizons);
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return Comparator.<Instant>naturalOrder().compare(a, b) <= 0 ? a : b;
  }
}
