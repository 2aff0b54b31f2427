package io.meshwork.control.api;

import io.meshwork.control.auth.Authenticator;
import io.meshwork.control.ca.CertificateAuthority;
import io.meshwork.control.store.KeyValueStore;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The API's security: who callers are, the CA behind the certificate endpoints, and TLS.
 *
 * @param tls                 the context for each new connection, or null to serve plaintext (development only)
 * @param store               where the trust bundle's key lives, for its resourceVersion
 * @param rootActivationDelay how long a staged root waits before it signs, unless the rotate call names a delay
 * @param bundleChanged       told after a rotation changed the trust bundle (the control plane rewrites ca.pem)
 */
public record ApiSecurity(Authenticator authenticator, CertificateAuthority ca, Supplier<SslContext> tls,
        KeyValueStore store, Duration rootActivationDelay, Runnable bundleChanged) {

    public ApiSecurity {
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(bundleChanged, "bundleChanged");
        if (rootActivationDelay == null || rootActivationDelay.isNegative()) {
            throw new IllegalArgumentException("rootActivationDelay: " + rootActivationDelay + " (expected: >= 0)");
        }
    }
}
