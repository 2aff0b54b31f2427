package io.meshwork.control.api;

import io.meshwork.control.resource.ResourceType;
import io.meshwork.model.Kind;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a request path names. Paths follow Kubernetes:
 * {@code /apis/{group}/{version}/namespaces/{ns}/{plural}[/{name}]}, the cross-namespace list
 * {@code /apis/{group}/{version}/{plural}}, and {@code /api/v1/namespaces[/{name}]} for the core group.
 */
sealed interface ApiRoute {

    /** A collection: one namespace, or all namespaces when {@code namespace} is null. */
    record Collection(ResourceType type, String namespace) implements ApiRoute {
    }

    record Item(ResourceType type, String namespace, String name) implements ApiRoute {
    }

    /**
     * {@code /apis/meshwork.io/v1alpha1/snapshot}: every object of every kind, as one list or one watch stream.
     * Sidecars mirror the whole configuration through it.
     */
    record Snapshot() implements ApiRoute {
    }

    /**
     * {@code /apis/meshwork.io/v1alpha1/apply}: a whole configuration source (multi-document YAML or JSON) applied
     * atomically, all of it at one revision or none of it.
     */
    record Apply() implements ApiRoute {
    }

    /** {@code /apis/meshwork.io/v1alpha1/certificates}: a CSR in, an X.509-SVID out. */
    record Certificates() implements ApiRoute {
    }

    /** {@code /apis/meshwork.io/v1alpha1/trustbundle}: the roots every peer must trust, public. */
    record Bundle() implements ApiRoute {
    }

    /** {@code /apis/meshwork.io/v1alpha1/tokens}: join tokens, made by the admin. */
    record Tokens() implements ApiRoute {
    }

    /** {@code /apis/meshwork.io/v1alpha1/tokens/{id}}: one join token's record; DELETE revokes it. */
    record Token(String id) implements ApiRoute {
    }

    /** {@code /apis/meshwork.io/v1alpha1/revokedidentities}: identities whose earlier credentials were revoked. */
    record RevokedIdentities() implements ApiRoute {
    }

    /** {@code /apis/meshwork.io/v1alpha1/admintoken/rotate}: replaces the admin token. */
    record AdminTokenRotation() implements ApiRoute {
    }

    /** {@code /apis/meshwork.io/v1alpha1/ca/rotate}: starts a root rotation. */
    record RootRotation() implements ApiRoute {
    }

    /** {@code /apis/meshwork.io/v1alpha1/namespaces/{ns}/registrations}. */
    record Registrations(String namespace) implements ApiRoute {
    }

    /** {@code .../registrations/{name}}, and {@code .../registrations/{name}/keepalive} when {@code keepAlive}. */
    record Registration(String namespace, String name, boolean keepAlive) implements ApiRoute {
    }

    /**
     * {@code /apis/meshwork.io/v1alpha1/namespaces/{ns}/ratelimitpolicies/{name}/leases}: tokens of a GLOBAL rate
     * limit's current window, lent to a sidecar.
     */
    record RateLimitLease(String namespace, String name) implements ApiRoute {
    }

    record Health() implements ApiRoute {
    }

    record Version() implements ApiRoute {
    }

    /** {@code /apis}: the served groups and versions, so clients can discover them. */
    record Discovery() implements ApiRoute {
    }

    record Unknown(String reason) implements ApiRoute {
    }

    /** A path of the right shape with a namespace or name no object can have. */
    record Invalid(String reason) implements ApiRoute {
    }

    String MESHWORK_GROUP = "meshwork.io";
    String MESHWORK_VERSION = "v1alpha1";

    /** A join token's id: 12 random bytes in hex. */
    Pattern TOKEN_ID = Pattern.compile("[0-9a-f]{24}");

    /** Kubernetes' DNS-1123 label, the form of a namespace. */
    Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** Kubernetes' DNS-1123 subdomain, the form of an object name. */
    Pattern DNS_SUBDOMAIN = Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    static ApiRoute parse(String path) {
        ApiRoute route = shape(path);
        String ns = switch (route) {
            case Collection c -> c.namespace();
            case Item i -> i.namespace();
            case Registrations r -> r.namespace();
            case Registration r -> r.namespace();
            case RateLimitLease l -> l.namespace();
            default -> null;
        };
        if (ns != null && !DNS_LABEL.matcher(ns).matches()) {
            return new Invalid("namespace: " + ns + " (expected: a DNS-1123 label such as shop)");
        }
        String name = switch (route) {
            case Item i -> i.name();
            case Registration r -> r.name();
            case RateLimitLease l -> l.name();
            default -> null;
        };
        if (name != null && !DNS_SUBDOMAIN.matcher(name).matches()) {
            return new Invalid("name: " + name + " (expected: a DNS-1123 subdomain such as product-service)");
        }
        return route;
    }

    private static ApiRoute shape(String path) {
        List<String> p = segments(path);
        if (p.equals(List.of("healthz"))) {
            return new Health();
        }
        if (p.equals(List.of("version"))) {
            return new Version();
        }
        if (p.equals(List.of("apis"))) {
            return new Discovery();
        }
        if (p.size() >= 3 && p.get(0).equals("api") && p.get(1).equals("v1")) {
            return typed("", "v1", p.subList(2, p.size()));
        }
        if (p.size() >= 4 && p.get(0).equals("apis")) {
            String group = p.get(1);
            String version = p.get(2);
            List<String> rest = p.subList(3, p.size());
            if (group.equals(MESHWORK_GROUP) && version.equals(MESHWORK_VERSION)) {
                if (rest.equals(List.of("snapshot"))) {
                    return new Snapshot();
                }
                if (rest.equals(List.of("apply"))) {
                    return new Apply();
                }
                if (rest.equals(List.of("certificates"))) {
                    return new Certificates();
                }
                if (rest.equals(List.of("trustbundle"))) {
                    return new Bundle();
                }
                if (rest.equals(List.of("tokens"))) {
                    return new Tokens();
                }
                if (rest.equals(List.of("ca", "rotate"))) {
                    return new RootRotation();
                }
                if (rest.size() == 2 && rest.get(0).equals("tokens")) {
                    return TOKEN_ID.matcher(rest.get(1)).matches() ? new Token(rest.get(1))
                            : new Invalid("token id: " + rest.get(1) + " (expected: 24 hex digits, as"
                                    + " 'meshwork token list' shows)");
                }
                if (rest.equals(List.of("revokedidentities"))) {
                    return new RevokedIdentities();
                }
                if (rest.equals(List.of("admintoken", "rotate"))) {
                    return new AdminTokenRotation();
                }
                if (rest.size() >= 3 && rest.get(0).equals("namespaces") && rest.get(2).equals("registrations")) {
                    return registration(rest);
                }
                if (rest.size() == 5 && rest.get(0).equals("namespaces") && rest.get(2).equals("ratelimitpolicies")
                        && rest.get(4).equals("leases")) {
                    return new RateLimitLease(rest.get(1), rest.get(3));
                }
            }
            return typed(group, version, rest);
        }
        return new Unknown("the server could not find the requested resource " + path);
    }

    private static ApiRoute registration(List<String> rest) {
        String ns = rest.get(1);
        return switch (rest.size()) {
            case 3 -> new Registrations(ns);
            case 4 -> new Registration(ns, rest.get(3), false);
            case 5 -> rest.get(4).equals("keepalive")
                    ? new Registration(ns, rest.get(3), true)
                    : new Unknown("unknown registration subresource " + rest.get(4));
            default -> new Unknown("unknown registration path");
        };
    }

    private static ApiRoute typed(String group, String version, List<String> rest) {
        String apiVersion = group.isEmpty() ? version : group + "/" + version;
        // A namespaced collection; the core group's own "namespaces" collection is the cluster-scoped exception.
        if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
            Optional<ResourceType> type = ResourceType.find(group, version, rest.get(2));
            if (type.isEmpty() || !type.get().kind().namespaced()) {
                return new Unknown("the server doesn't have a resource type " + rest.get(2) + " in " + apiVersion);
            }
            return switch (rest.size()) {
                case 3 -> new Collection(type.get(), rest.get(1));
                case 4 -> new Item(type.get(), rest.get(1), rest.get(3));
                default -> new Unknown("unknown subresource of " + rest.get(2));
            };
        }
        Optional<ResourceType> type = rest.isEmpty() ? Optional.empty() : ResourceType.find(group, version, rest.get(0));
        if (type.isEmpty()) {
            return new Unknown("the server doesn't have a resource type "
                    + (rest.isEmpty() ? "" : rest.get(0)) + " in " + apiVersion);
        }
        Kind kind = type.get().kind();
        return switch (rest.size()) {
            case 1 -> new Collection(type.get(), null);
            case 2 -> kind.namespaced()
                    ? new Unknown(kind.plural() + " are namespaced: use /namespaces/{namespace}/" + kind.plural())
                    : new Item(type.get(), null, rest.get(1));
            default -> new Unknown("unknown subresource of " + rest.get(0));
        };
    }

    private static List<String> segments(String path) {
        return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    }
}
