package io.meshwork.model;

import io.meshwork.model.dapr.Component;
import io.meshwork.model.kube.IstioOperator;
import io.meshwork.model.kube.Namespace;
import io.meshwork.model.meshwork.ApiKey;
import io.meshwork.model.meshwork.RateLimitPolicy;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.Gateway;
import io.meshwork.model.networking.ServiceEntry;
import io.meshwork.model.networking.VirtualService;
import io.meshwork.model.networking.WorkloadEntry;
import io.meshwork.model.networking.WorkloadGroup;
import io.meshwork.model.security.AuthorizationPolicy;
import io.meshwork.model.security.PeerAuthentication;
import io.meshwork.model.security.RequestAuthentication;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The resource kinds Meshwork accepts, with their API groups and versions as Istio and Kubernetes
 * publish them. {@link #NAMESPACE} and {@link #ISTIO_OPERATOR} are accepted so that Istio examples
 * apply unchanged, but mean nothing outside Kubernetes ({@link #meaningful()} is false).
 */
public enum Kind {
  SERVICE_ENTRY("ServiceEntry", Groups.NETWORKING, Groups.NETWORKING_VERSIONS, "serviceentries", true,
      ServiceEntry.class, "se"),
  WORKLOAD_ENTRY("WorkloadEntry", Groups.NETWORKING, Groups.NETWORKING_VERSIONS, "workloadentries", true,
      WorkloadEntry.class, "we"),
  WORKLOAD_GROUP("WorkloadGroup", Groups.NETWORKING, Groups.NETWORKING_VERSIONS, "workloadgroups", true,
      WorkloadGroup.class, "wg"),
  VIRTUAL_SERVICE("VirtualService", Groups.NETWORKING, Groups.NETWORKING_VERSIONS, "virtualservices", true,
      VirtualService.class, "vs"),
  DESTINATION_RULE("DestinationRule", Groups.NETWORKING, Groups.NETWORKING_VERSIONS, "destinationrules", true,
      DestinationRule.class, "dr"),
  GATEWAY("Gateway", Groups.NETWORKING, Groups.NETWORKING_VERSIONS, "gateways", true, Gateway.class, "gw"),
  AUTHORIZATION_POLICY("AuthorizationPolicy", Groups.SECURITY, Groups.SECURITY_VERSIONS,
      "authorizationpolicies", true, AuthorizationPolicy.class, "ap"),
  PEER_AUTHENTICATION("PeerAuthentication", Groups.SECURITY, Groups.SECURITY_VERSIONS,
      "peerauthentications", true, PeerAuthentication.class, "pa"),
  REQUEST_AUTHENTICATION("RequestAuthentication", Groups.SECURITY, Groups.SECURITY_VERSIONS,
      "requestauthentications", true, RequestAuthentication.class, "ra"),
  RATE_LIMIT_POLICY("RateLimitPolicy", Groups.MESHWORK, Groups.MESHWORK_VERSIONS, "ratelimitpolicies", true,
      RateLimitPolicy.class, "rlp"),
  API_KEY("ApiKey", Groups.MESHWORK, Groups.MESHWORK_VERSIONS, "apikeys", true, ApiKey.class, "ak"),
  COMPONENT("Component", "dapr.io", List.of("v1alpha1"), "components", true, Component.class, "comp"),
  NAMESPACE("Namespace", "", List.of("v1"), "namespaces", false, Namespace.class, "ns"),
  ISTIO_OPERATOR("IstioOperator", "install.istio.io", List.of("v1alpha1"), "istiooperators", true,
      IstioOperator.class, "iop");

  private final String kindName;
  private final String group;
  private final List<String> versions;
  private final String plural;
  private final boolean namespaced;
  private final Class<? extends Spec> specType;
  private final String shortName;

  Kind(String kindName, String group, List<String> versions, String plural, boolean namespaced,
      Class<? extends Spec> specType, String shortName) {
    this.kindName = kindName;
    this.group = group;
    this.versions = versions;
    this.plural = plural;
    this.namespaced = namespaced;
    this.specType = specType;
    this.shortName = shortName;
  }

  /** The {@code kind} as written in documents, e.g. "VirtualService". */
  public String kindName() {
    return kindName;
  }

  /** The API group, e.g. "networking.istio.io"; "" for the Kubernetes core group. */
  public String group() {
    return group;
  }

  /** The accepted versions, oldest first; the last one is {@link #preferredVersion()}. */
  public List<String> versions() {
    return versions;
  }

  public String preferredVersion() {
    return versions.getLast();
  }

  /** The {@code apiVersion} written for this kind, e.g. "networking.istio.io/v1". */
  public String preferredApiVersion() {
    return apiVersion(preferredVersion());
  }

  /** The lower-case plural used in API paths, e.g. "virtualservices". */
  public String plural() {
    return plural;
  }

  public String shortName() {
    return shortName;
  }

  public boolean namespaced() {
    return namespaced;
  }

  public Class<? extends Spec> specType() {
    return specType;
  }

  /** False for kinds that are only accepted for compatibility with Kubernetes manifests. */
  public boolean meaningful() {
    return this != NAMESPACE && this != ISTIO_OPERATOR;
  }

  public String apiVersion(String version) {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The kind named by a document's {@code apiVersion} and {@code kind}, if both are known. */
  public static Optional<Kind> of(String apiVersion, String kind) {
    if (apiVersion == null || kind == null) {
      return Optional.empty();
    }
    int slash = apiVersion.lastIndexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    return Arrays.stream(values())
        .filter(k -> k.kindName.equals(kind) && k.group.equals(group) && k.versions.contains(version))
        .findFirst();
  }

  /**
   * The kind a user names on the command line or in an API path: the kind name, its plural, its
   * singular lower-case form, or its short name ("vs", "dr", "se", "we"), case-insensitively.
   */
  public static Optional<Kind> byName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String n = name.toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(k -> k.kindName.toLowerCase(Locale.ROOT).equals(n) || k.plural.equals(n) || k.shortName.equals(n)
            || k.name().toLowerCase(Locale.ROOT).equals(n))
        .findFirst();
  }

  /** The kind whose spec record is {@code type}. */
  public static Kind forSpec(Class<? extends Spec> type) {
    for (Kind k : values()) {
      if (k.specType == type) {
        return k;
      }
    }
    throw new IllegalArgumentException("specType: " + type.getName() + " (expected: a spec record of a Kind)");
  }

  /** Names of all kinds, for error messages. */
  public static String knownKinds() {
    return String.join(", ", Arrays.stream(values()).map(Kind::kindName).toList());
  }

  private static final class Groups {
    static final String NETWORKING = "networking.istio.io";
    static final List<String> NETWORKING_VERSIONS = List.of("v1alpha3", "v1beta1", "v1");
    static final String SECURITY = "security.istio.io";
    static final List<String> SECURITY_VERSIONS = List.of("v1beta1", "v1");
    static final String MESHWORK = "meshwork.io";
    static final List<String> MESHWORK_VERSIONS = List.of("v1alpha1");
  }
}
