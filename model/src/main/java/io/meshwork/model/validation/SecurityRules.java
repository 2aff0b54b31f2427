package io.meshwork.model.validation;

import static io.meshwork.model.validation.FieldPath.child;
import static io.meshwork.model.validation.FieldPath.index;

import io.meshwork.model.security.AuthorizationPolicy;
import io.meshwork.model.security.Condition;
import io.meshwork.model.security.JWTRule;
import io.meshwork.model.security.Operation;
import io.meshwork.model.security.PeerAuthentication;
import io.meshwork.model.security.RequestAuthentication;
import io.meshwork.model.security.Rule;
import io.meshwork.model.security.Source;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.regex.Pattern;

/** Istio's validation of the security.istio.io kinds. */
final class SecurityRules {
  /** Istio's authorization condition keys; bracketed names must be non-empty. */
  private static final Pattern CONDITION_KEY = Pattern.compile(
      "request\\.headers\\[[^\\]]+]|request\\.auth\\.claims\\[[^\\]]+](\\[[^\\]]+])*"
          + "|source\\.ip|remote\\.ip|source\\.namespace|source\\.principal|request\\.auth\\.principal"
          + "|request\\.auth\\.audiences|request\\.auth\\.presenter|destination\\.ip|destination\\.port"
          + "|connection\\.sni|experimental\\.envoy\\.filters\\..+");
  private static final String CONDITION_KEYS = "request.headers[NAME], request.auth.claims[NAME], source.ip, "
      + "remote.ip, source.namespace, source.principal, request.auth.principal, request.auth.audiences, "
      + "request.auth.presenter, destination.ip, destination.port or connection.sni";

  private SecurityRules() {}

  static void authorizationPolicy(AuthorizationPolicy ap, String path, Findings f) {
    if (ap.action() == AuthorizationPolicy.Action.CUSTOM) {
      f.error(child(path, "action"), ap.action(), "ALLOW, DENY or AUDIT; CUSTOM providers are not supported yet");
    } else if (ap.provider() != null) {
      f.describe(child(path, "provider"), "set without action CUSTOM", "a provider only with action CUSTOM");
    }
    for (int i = 0; i < ap.rules().size(); i++) {
      rule(ap.rules().get(i), index(child(path, "rules"), i), f);
    }
  }

  private static void rule(Rule rule, String p, Findings f) {
    for (int i = 0; i < rule.from().size(); i++) {
      String fp = child(index(child(p, "from"), i), "source");
      Source s = rule.from().get(i).source();
      if (s == null || allEmpty(s.principals(), s.notPrincipals(), s.requestPrincipals(), s.notRequestPrincipals(),
          s.namespaces(), s.notNamespaces(), s.ipBlocks(), s.notIpBlocks(), s.remoteIpBlocks(),
          s.notRemoteIpBlocks())) {
        f.missing(fp, "a source with at least one field");
        continue;
      }
      ipBlocks(s.ipBlocks(), child(fp, "ipBlocks"), f);
      ipBlocks(s.notIpBlocks(), child(fp, "notIpBlocks"), f);
      ipBlocks(s.remoteIpBlocks(), child(fp, "remoteIpBlocks"), f);
      ipBlocks(s.notRemoteIpBlocks(), child(fp, "notRemoteIpBlocks"), f);
    }
    for (int i = 0; i < rule.to().size(); i++) {
      String tp = child(index(child(p, "to"), i), "operation");
      Operation o = rule.to().get(i).operation();
      if (o == null || allEmpty(o.hosts(), o.notHosts(), o.ports(), o.notPorts(), o.methods(), o.notMethods(),
          o.paths(), o.notPaths())) {
        f.missing(tp, "an operation with at least one field");
        continue;
      }
      wildcards(o.paths(), child(tp, "paths"), f);
      wildcards(o.notPaths(), child(tp, "notPaths"), f);
      wildcards(o.hosts(), child(tp, "hosts"), f);
      wildcards(o.notHosts(), child(tp, "notHosts"), f);
      ports(o.ports(), child(tp, "ports"), f);
      ports(o.notPorts(), child(tp, "notPorts"), f);
    }
    for (int i = 0; i < rule.when().size(); i++) {
      Condition c = rule.when().get(i);
      String cp = index(child(p, "when"), i);
      if (f.required(child(cp, "key"), c.key(), "an attribute such as request.headers[x-token]")
          && !CONDITION_KEY.matcher(c.key()).matches()) {
        f.error(child(cp, "key"), c.key(), CONDITION_KEYS);
      }
      if (c.values().isEmpty() && c.notValues().isEmpty()) {
        f.missing(child(cp, "values"), "values or notValues");
      }
    }
  }

  private static boolean allEmpty(List<?>... lists) {
    for (List<?> l : lists) {
      if (!l.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static void ipBlocks(List<String> blocks, String p, Findings f) {
    for (int i = 0; i < blocks.size(); i++) {
      f.ipOrCidr(index(p, i), blocks.get(i));
    }
  }

  /** Istio string matching in authorization: exact, "*", or one "*" as prefix or suffix. */
  private static void wildcards(List<String> values, String p, Findings f) {
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      if (v == null || v.isEmpty()) {
        f.error(index(p, i), v, "a non-empty value");
        continue;
      }
      int stars = (int) v.chars().filter(c -> c == '*').count();
      boolean ok = stars == 0 || v.equals("*") || (stars == 1 && (v.startsWith("*") || v.endsWith("*")));
      if (!ok) {
        f.error(index(p, i), v, "at most one '*', at the start or at the end");
      }
    }
  }

  private static void ports(List<String> ports, String p, Findings f) {
    for (int i = 0; i < ports.size(); i++) {
      String v = ports.get(i);
      boolean ok = v != null && v.matches("\\d{1,5}") && Integer.parseInt(v) >= 1 && Integer.parseInt(v) <= 65535;
      if (!ok) {
        f.error(index(p, i), v, "a port number 1..65535");
      }
    }
  }

  static void peerAuthentication(PeerAuthentication pa, String path, Findings f) {
    if (!pa.portLevelMtls().isEmpty() && (pa.selector() == null || pa.selector().matchLabels().isEmpty())) {
      f.missing(child(path, "selector"), "a workload selector: portLevelMtls applies to selected workloads only");
    }
    for (Integer port : pa.portLevelMtls().keySet()) {
      f.port(child(child(path, "portLevelMtls"), String.valueOf(port)), port);
    }
  }

  static void requestAuthentication(RequestAuthentication ra, String path, Findings f) {
    for (int i = 0; i < ra.jwtRules().size(); i++) {
      JWTRule r = ra.jwtRules().get(i);
      String rp = index(child(path, "jwtRules"), i);
      f.required(child(rp, "issuer"), r.issuer(), "the token issuer (iss claim)");
      if (r.jwks() != null && r.jwksUri() != null) {
        f.describe(child(rp, "jwks"), "set together with jwksUri", "at most one of jwks and jwksUri");
      }
      if (r.jwksUri() != null && !isHttpUri(r.jwksUri())) {
        f.error(child(rp, "jwksUri"), r.jwksUri(), "an http or https URL");
      }
      for (int j = 0; j < r.fromHeaders().size(); j++) {
        String hp = index(child(rp, "fromHeaders"), j);
        if (f.required(child(hp, "name"), r.fromHeaders().get(j).name(), "a header name")) {
          f.headerName(child(hp, "name"), r.fromHeaders().get(j).name());
        }
      }
      if (r.outputPayloadToHeader() != null) {
        f.headerName(child(rp, "outputPayloadToHeader"), r.outputPayloadToHeader());
      }
      for (int j = 0; j < r.outputClaimToHeaders().size(); j++) {
        String cp = index(child(rp, "outputClaimToHeaders"), j);
        f.headerName(child(cp, "header"), r.outputClaimToHeaders().get(j).header());
        f.required(child(cp, "claim"), r.outputClaimToHeaders().get(j).claim(), "a claim name");
      }
    }
  }

  private static boolean isHttpUri(String s) {
    try {
      URI uri = new URI(s);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
