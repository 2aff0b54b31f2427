package io.meshwork.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.auth.Caller;
import io.meshwork.control.ca.CertificateAuthority;
import io.meshwork.control.ca.IssuanceException;
import io.meshwork.control.ca.IssuedCertificate;
import io.meshwork.control.ca.IdentityRevocations;
import io.meshwork.control.ca.JoinTokens;
import io.meshwork.control.ca.TokenRecord;
import io.meshwork.control.ca.StoreCaStorage;
import io.meshwork.control.ca.TrustBundle;
import io.meshwork.control.store.KeyValue;
import io.meshwork.model.codec.DurationFormat;
import io.meshwork.model.identity.SpiffeId;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA over HTTP: {@code POST certificates} signs a CSR for the caller's proven identity, {@code GET trustbundle}
 * publishes the roots, {@code POST tokens} makes join tokens and {@code POST ca/rotate} stages a new root. Bodies
 * and answers are JSON; times are RFC 3339.
 */
final class SecurityEndpoints {

    private static final Logger log = LoggerFactory.getLogger(SecurityEndpoints.class);

    /** Join tokens last a day unless asked otherwise: long enough to start a fleet, short enough to leak safely. */
    static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(24);

    private final ApiSecurity security;
    private final ObjectMapper json;

    SecurityEndpoints(ApiSecurity security, ObjectMapper json) {
        this.security = security;
        this.json = json;
    }

    /** {@code {"csr": PEM, "ttl": "24h"?}} → 201 {@code {certificateChain, trustBundle, notAfter, identity}}. */
    Reply certificates(Caller caller, ObjectNode body) {
        if (!(caller instanceof Caller.Workload workload)) {
            throw new IllegalStateException("access policy let a non-workload request a certificate");
        }
        String csr = text(body, "csr", true);
        Duration ttl = duration(body, "ttl", null);
        CertificateAuthority ca = security.ca();
        IssuedCertificate issued;
        try {
            issued = workload.viaCertificate()
                    ? ca.renew(workload.identity(), csr, ttl)
                    : ca.issueForToken(workload.joinToken(), csr, ttl);
        } catch (IssuanceException e) {
            throw new ApiException(refusal(e));
        }
        log.debug("issued certificate {} for {} until {} ({})", issued.serialNumberHex(), issued.identity(),
                issued.notAfter(), workload.viaCertificate() ? "renewal" : "join token");
        ObjectNode out = json.createObjectNode();
        out.put("identity", issued.identity().toString());
        out.put("certificateChain", issued.certificateChainPem());
        out.put("trustBundle", issued.trustBundlePem());
        out.put("serialNumber", issued.serialNumberHex());
        out.put("notBefore", issued.notBefore().toString());
        out.put("notAfter", issued.notAfter().toString());
        return new Reply(HttpResponseStatus.CREATED, out, List.of());
    }

    /**
     * The roots, with a {@code version} that changes exactly when the bundle does (a SHA-256 of its PEM) and the
     * {@code resourceVersion} of its store key, and an ETag carrying the version: a poller that sends it back in
     * {@code If-None-Match} gets 304 and no body while nothing changed (RFC 9110 §13.1.2).
     */
    Reply trustBundle(String ifNoneMatch) {
        TrustBundle bundle = security.ca().trustBundle();
        ObjectNode out = describe(bundle);
        String etag = "\"" + out.path("version").asText() + "\"";
        if (ifNoneMatch != null && java.util.Arrays.stream(ifNoneMatch.split(","))
                .map(String::strip).anyMatch(t -> t.equals(etag) || t.equals("W/" + etag) || t.equals("*"))) {
            return new Reply(HttpResponseStatus.NOT_MODIFIED, json.missingNode(), List.of(),
                    java.util.Map.of("ETag", etag));
        }
        String revision = security.store().get(StoreCaStorage.TRUST_BUNDLE_KEY)
                .map(KeyValue::modRevision).map(String::valueOf).orElse("0");
        out.put("resourceVersion", revision);
        return new Reply(HttpResponseStatus.OK, out, List.of(), java.util.Map.of("ETag", etag));
    }

    /** {@code {"service", "namespace"?, "ttl"?}} → 201 {@code {token, identity, expiresAt}}. */
    Reply tokens(ObjectNode body) {
        String service = text(body, "service", true);
        String namespace = body.has("namespace") ? text(body, "namespace", true) : "default";
        if (!ApiRoute.DNS_LABEL.matcher(service).matches()) {
            throw invalid("service", service + " (expected: a DNS-1123 label such as orders)");
        }
        if (!ApiRoute.DNS_LABEL.matcher(namespace).matches()) {
            throw invalid("namespace", namespace + " (expected: a DNS-1123 label such as shop)");
        }
        CertificateAuthority ca = security.ca();
        Duration max = ca.joinTokens().maxTtl();
        Duration ttl = duration(body, "ttl", DEFAULT_TOKEN_TTL.compareTo(max) > 0 ? max : DEFAULT_TOKEN_TTL);
        if (ttl.isZero()) {
            throw invalid("ttl", "0s (expected: a positive duration such as 24h)");
        }
        if (ttl.compareTo(max) > 0) {
            throw invalid("ttl", DurationFormat.format(ttl) + " is longer than the control plane's maximum token"
                    + " lifetime, " + DurationFormat.format(max) + " (--max-token-ttl)");
        }
        SpiffeId identity = SpiffeId.forWorkload(ca.trustDomain(), namespace, service);
        String token = ca.joinTokens().create(identity, ttl);
        if (!(ca.joinTokens().verify(token) instanceof JoinTokens.Valid valid)) {
            throw new IllegalStateException("a fresh join token does not verify");
        }
        // An audit line: who may now enrol, until when; never the token itself.
        log.info("created join token {} for {} until {}", valid.tokenId(), identity, valid.expiresAt());
        ObjectNode out = json.createObjectNode();
        out.put("token", token);
        out.put("identity", identity.toString());
        out.put("expiresAt", valid.expiresAt().toString());
        return new Reply(HttpResponseStatus.CREATED, out, List.of());
    }

    /** Every join token the control plane remembers, newest first: ids and times, never a token. */
    Reply listTokens() {
        ObjectNode out = json.createObjectNode();
        out.put("kind", "JoinTokenList");
        ArrayNode items = out.putArray("items");
        Instant now = security.ca().clock().instant();
        security.ca().joinTokens().ledger().list().forEach(r -> items.add(describe(r, now)));
        return Reply.ok(out);
    }

    Reply token(String id) {
        TokenRecord record = security.ca().joinTokens().ledger().find(id)
                .orElseThrow(() -> new ApiException(ApiStatus.notFound("token " + id + ": unknown (expected: an id"
                        + " from 'meshwork token list')")));
        return Reply.ok(describe(record, security.ca().clock().instant()));
    }

    /** Ends a join token: it enrols nobody from now on. Certificates it already got keep renewing by mTLS. */
    Reply revokeToken(String id) {
        TokenRecord record = security.ca().joinTokens().ledger().revoke(id)
                .orElseThrow(() -> new ApiException(ApiStatus.notFound("token " + id + ": unknown (expected: an id"
                        + " from 'meshwork token list')")));
        log.info("revoked join token {} for {}", id, record.identity());
        return Reply.ok(describe(record, security.ca().clock().instant()));
    }

    Reply revokedIdentities() {
        ObjectNode out = json.createObjectNode();
        out.put("kind", "RevokedIdentityList");
        ArrayNode items = out.putArray("items");
        security.ca().revocations().list().forEach(r -> items.addObject()
                .put("identity", r.identity().toString()).put("revokedAt", r.cutoff().toString()));
        return Reply.ok(out);
    }

    /**
     * {@code {"identity": "spiffe://..."}}: every join token and certificate of that identity issued until now stops
     * enrolling, renewing and reading; new ones work.
     */
    Reply revokeIdentity(ObjectNode body) {
        String text = text(body, "identity", true);
        CertificateAuthority ca = security.ca();
        SpiffeId identity = switch (SpiffeId.parse(text)) {
            case SpiffeId.Valid valid when valid.id().memberOf(ca.trustDomain())
                    && valid.id().serviceAccount().isPresent() -> valid.id();
            case SpiffeId.Valid valid -> throw invalid("identity", text + " (expected: a workload identity"
                    + " spiffe://" + ca.trustDomain() + "/ns/NS/sa/NAME)");
            case SpiffeId.Invalid invalid -> throw invalid("identity", invalid.reason());
        };
        IdentityRevocations.Revocation revocation = ca.revocations().revoke(identity);
        log.info("revoked identity {}: its credentials issued before {} no longer renew or enrol", identity,
                revocation.cutoff());
        ObjectNode out = json.createObjectNode();
        out.put("identity", identity.toString());
        out.put("revokedAt", revocation.cutoff().toString());
        return Reply.ok(out);
    }

    /** A new admin token, written owner-only to the data directory and answered once; the old one stops working. */
    Reply rotateAdminToken() {
        String token = security.authenticator().adminToken().rotate();
        ObjectNode out = json.createObjectNode();
        out.put("token", token);
        return Reply.ok(out);
    }

    private ObjectNode describe(TokenRecord r, Instant now) {
        ObjectNode o = json.createObjectNode();
        o.put("id", r.id());
        o.put("identity", r.identity().toString());
        o.put("namespace", r.identity().namespace().orElse(""));
        o.put("service", r.identity().serviceAccount().orElse(""));
        o.put("createdAt", r.createdAt().toString());
        o.put("expiresAt", r.expiresAt().toString());
        if (r.revokedAt() != null) {
            o.put("revokedAt", r.revokedAt().toString());
        }
        o.put("status", r.status(now).name().toLowerCase(java.util.Locale.ROOT));
        return o;
    }

    /**
     * {@code {"activationDelay": "2m"?}}: the new root joins the bundle at once and signs after the delay, so every
     * sidecar has fetched a bundle that trusts it before it meets a leaf it signed. A delay of 0 rotates at once.
     */
    Reply rotate(JsonNode body) {
        Duration delay = body.isObject()
                ? duration((ObjectNode) body, "activationDelay", security.rootActivationDelay())
                : security.rootActivationDelay();
        CertificateAuthority ca = security.ca();
        CertificateAuthority.StagedRoot staged = ca.stageRoot(delay);
        if (delay.isZero()) {
            ca.activateStagedRoot();
        }
        security.bundleChanged().run();
        log.info("root rotation: root {} trusted now, signs from {}", TrustBundle.fingerprint(staged.certificate()),
                staged.activatesAt());
        ObjectNode out = describe(ca.trustBundle());
        out.put("newRoot", TrustBundle.fingerprint(staged.certificate()));
        out.put("activatesAt", staged.activatesAt().toString());
        out.put("signingRoot", TrustBundle.fingerprint(ca.rootCertificate()));
        return Reply.ok(out);
    }

    private ObjectNode describe(TrustBundle bundle) {
        String pem = bundle.toPem();
        ObjectNode out = json.createObjectNode();
        out.put("trustDomain", security.ca().trustDomain());
        out.put("trustBundle", pem);
        out.put("version", sha256(pem));
        ArrayNode roots = out.putArray("roots");
        X509Certificate signing = security.ca().rootCertificate();
        for (X509Certificate root : bundle.roots()) {
            roots.addObject()
                    .put("fingerprint", TrustBundle.fingerprint(root))
                    .put("notAfter", root.getNotAfter().toInstant().toString())
                    .put("signing", root.equals(signing));
        }
        return out;
    }

    /** IssuanceException's reasons carry their statuses: a bad request 400, no proof 401, a wrong identity 403. */
    private static ApiStatus refusal(IssuanceException e) {
        return switch (e.reason()) {
            case MALFORMED_CSR, BAD_CSR_SIGNATURE, UNSUPPORTED_KEY, INVALID_TTL -> ApiStatus.badRequest(e.getMessage());
            case BAD_TOKEN -> ApiStatus.of(HttpResponseStatus.UNAUTHORIZED, "Unauthorized", e.getMessage());
            case FOREIGN_TRUST_DOMAIN, IDENTITY_MISMATCH, REVOKED_IDENTITY ->
                    ApiStatus.of(HttpResponseStatus.FORBIDDEN, "Forbidden", e.getMessage());
        };
    }

    private static String text(ObjectNode body, String field, boolean required) {
        JsonNode v = body.path(field);
        if (v.isMissingNode() && !required) {
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw invalid(field, (v.isMissingNode() ? "missing" : v.toString()) + " (expected: a non-empty string)");
        }
        return v.asText();
    }

    private static Duration duration(ObjectNode body, String field, Duration fallback) {
        String text = text(body, field, false);
        if (text == null) {
            return fallback;
        }
        return DurationFormat.parse(text)
                .orElseThrow(() -> invalid(field, text + " (expected: " + DurationFormat.EXPECTED + ")"));
    }

    private static ApiException invalid(String field, String message) {
        return new ApiException(ApiStatus.badRequest(field + ": " + message));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
