package io.meshwork.model.validation;

import io.meshwork.model.Resource;
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
import java.util.List;

/**
 * Istio's semantic rules for every kind, beyond what binding checks (types, enum constants). Returns
 * violations with paths from the document root ("spec.http[0].route[0].weight") and messages of the
 * form {@code value (expected: ...)}. Pure and thread-safe; the parser calls it on every resource, the
 * control plane may call it on resources built in code.
 */
public final class ResourceValidator {
  private ResourceValidator() {}

  public static List<Violation> validate(Resource<?> resource) {
    Findings f = new Findings();
    if (f.required("metadata.name", resource.name(), "a DNS-1123 subdomain such as product-service")) {
      f.dnsSubdomain("metadata.name", resource.name());
    }
    f.dnsLabel("metadata.namespace", resource.namespace());
    String spec = "spec";
    switch (resource.spec()) {
      case VirtualService vs -> VirtualServiceRules.check(vs, spec, f);
      case DestinationRule dr -> DestinationRuleRules.check(dr, spec, f);
      case ServiceEntry se -> ServiceEntryRules.serviceEntry(se, spec, f);
      case WorkloadEntry we -> ServiceEntryRules.workloadEntry(we, spec, f);
      case WorkloadGroup wg -> ServiceEntryRules.workloadGroup(wg, spec, f);
      case Gateway gw -> ServiceEntryRules.gateway(gw, spec, f);
      case AuthorizationPolicy ap -> SecurityRules.authorizationPolicy(ap, spec, f);
      case PeerAuthentication pa -> SecurityRules.peerAuthentication(pa, spec, f);
      case RequestAuthentication ra -> SecurityRules.requestAuthentication(ra, spec, f);
      case RateLimitPolicy rl -> MeshworkRules.rateLimitPolicy(rl, spec, f);
      case ApiKey key -> MeshworkRules.apiKey(key, spec, f);
      case Namespace ns -> { }
      case IstioOperator iop -> { }
      case Component c -> DaprRules.component(c, spec, "scopes", f);
    }
    return List.copyOf(f.violations());
  }
}
