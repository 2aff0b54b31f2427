package io.meshwork.control.api;

import io.meshwork.control.auth.AdminToken;
import io.meshwork.control.auth.Caller;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may do what. Writes and CA administration need the admin token. Reads and watches need any proven caller
 * (the admin token, a join token, or a workload certificate): objects such as ApiKey hold secrets, so the
 * configuration is not public even on loopback. Health, version, discovery and the trust bundle are public: a
 * client needs the bundle before it can verify anything. Certificates go to workloads only, and a workload
 * registers only in its own namespace (the endpoint checks the service). Rate-limit leases, too, go to workloads of
 * the policy's namespace (and the admin); the endpoint checks that the policy selects the workload.
 *
 * <p>No credential, or one that does not verify, is 401 with {@code WWW-Authenticate: Bearer} (RFC 6750 §3); a
 * verified credential that lacks the right is 403.
 */
final class AccessPolicy {

    /** What a route needs. */
    enum Need { NONE, READ, ADMIN, WORKLOAD, REGISTRANT }

    AccessPolicy() {
    }

    static Need need(ApiRoute route, HttpMethod method) {
        boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        return switch (route) {
            case ApiRoute.Health h -> Need.NONE;
            case ApiRoute.Version v -> Need.NONE;
            case ApiRoute.Discovery d -> Need.NONE;
            case ApiRoute.Bundle b -> Need.NONE;
            case ApiRoute.Unknown u -> Need.NONE;
            case ApiRoute.Invalid i -> Need.NONE;
            case ApiRoute.Certificates c -> Need.WORKLOAD;
            case ApiRoute.Tokens t -> Need.ADMIN;
            case ApiRoute.Token t -> Need.ADMIN;
            case ApiRoute.RevokedIdentities r -> Need.ADMIN;
            case ApiRoute.AdminTokenRotation r -> Need.ADMIN;
            case ApiRoute.RootRotation r -> Need.ADMIN;
            case ApiRoute.Apply a -> Need.ADMIN;
            case ApiRoute.Snapshot s -> Need.READ;
            case ApiRoute.Collection c -> read ? Need.READ : Need.ADMIN;
            case ApiRoute.Item i -> read ? Need.READ : Need.ADMIN;
            case ApiRoute.Registrations r -> Need.REGISTRANT;
            case ApiRoute.Registration r -> Need.REGISTRANT;
            case ApiRoute.RateLimitLease l -> Need.REGISTRANT;
        };
    }

    /** The refusal to send, or empty when {@code caller} may go on. */
    Optional<Reply> check(ApiRoute route, HttpMethod method, Caller caller) {
        Need need = need(route, method);
        if (need != Need.NONE && caller instanceof Caller.Revoked revoked) {
            return Optional.of(forbidden(revoked.reason()));
        }
        return switch (need) {
            case NONE -> Optional.empty();
            case ADMIN -> switch (caller) {
                case Caller.Admin a -> Optional.empty();
                case Caller.Anonymous a -> Optional.of(unauthorized("this request needs the admin token; "
                        + adminHint()));
                case Caller.Rejected r -> Optional.of(forbidden(r.reason() + "; this request needs the admin token; "
                        + adminHint()));
                case Caller.Revoked r -> Optional.of(forbidden(r.reason()));
                case Caller.Workload w -> Optional.of(forbidden(w.identity() + " may not change the mesh's"
                        + " configuration: this request needs the admin token; " + adminHint()));
            };
            case READ -> switch (caller) {
                case Caller.Admin a -> Optional.empty();
                case Caller.Workload w -> Optional.empty();
                case Caller.Revoked r -> Optional.of(forbidden(r.reason()));
                case Caller.Anonymous a -> Optional.of(unauthorized("reading the configuration needs a credential:"
                        + " a join token, a workload certificate, or the admin token; " + adminHint()));
                case Caller.Rejected r -> Optional.of(unauthorized(r.reason()));
            };
            case WORKLOAD -> switch (caller) {
                case Caller.Workload w -> Optional.empty();
                case Caller.Revoked r -> Optional.of(forbidden(r.reason()));
                case Caller.Anonymous a -> Optional.of(unauthorized("a certificate needs a join token"
                        + " ('meshwork token create --service NAME') or a valid workload certificate"));
                case Caller.Rejected r -> Optional.of(unauthorized(r.reason()));
                case Caller.Admin a -> Optional.of(forbidden("the admin token names no workload: create a join"
                        + " token with 'meshwork token create --service NAME' and send that"));
            };
            case REGISTRANT -> switch (caller) {
                case Caller.Admin a -> Optional.empty();
                case Caller.Workload w -> ownNamespace(route, w);
                case Caller.Revoked r -> Optional.of(forbidden(r.reason()));
                case Caller.Anonymous a -> Optional.of(unauthorized("registering needs the workload's join token"
                        + " or the admin token"));
                case Caller.Rejected r -> Optional.of(unauthorized(r.reason()));
            };
        };
    }

    /** Refuses a workload acting on {@code service} when its identity is another service account. */
    Optional<Reply> ownService(Caller caller, String service) {
        if (caller instanceof Caller.Workload w && !w.identity().serviceAccount().orElse("").equals(service)) {
            return Optional.of(forbidden(w.identity() + " may not act for service " + service
                    + " (expected: service " + w.identity().serviceAccount().orElse("?") + ")"));
        }
        return Optional.empty();
    }

    private Optional<Reply> ownNamespace(ApiRoute route, Caller.Workload w) {
        String namespace = switch (route) {
            case ApiRoute.Registrations r -> r.namespace();
            case ApiRoute.Registration r -> r.namespace();
            case ApiRoute.RateLimitLease l -> l.namespace();
            default -> null;
        };
        if (namespace != null && !w.identity().namespace().orElse("").equals(namespace)) {
            String act = route instanceof ApiRoute.RateLimitLease ? " may not lease tokens in namespace "
                    : " may not register in namespace ";
            return Optional.of(forbidden(w.identity() + act + namespace
                    + " (expected: namespace " + w.identity().namespace().orElse("?") + ")"));
        }
        return Optional.empty();
    }

    /** Where the token is, in words: the answer goes to callers not yet trusted, so no server-side path. */
    private static String adminHint() {
        return "send 'Authorization: Bearer <token>' with the token from <data-dir>/" + AdminToken.FILE_NAME
                + " on the control plane's machine or " + AdminToken.ENV;
    }

    private static Reply unauthorized(String message) {
        ApiStatus status = ApiStatus.of(HttpResponseStatus.UNAUTHORIZED, "Unauthorized", message);
        return new Reply(status.httpStatus(), status.toJson(), List.of(),
                Map.of("WWW-Authenticate", "Bearer realm=\"meshwork\""));
    }

    private static Reply forbidden(String message) {
        return Reply.of(ApiStatus.of(HttpResponseStatus.FORBIDDEN, "Forbidden", message));
    }
}
