package io.meshwork.model.validation;

import static io.meshwork.model.validation.FieldPath.child;
import static io.meshwork.model.validation.FieldPath.index;

import io.meshwork.model.networking.CorsPolicy;
import io.meshwork.model.networking.HTTPMirrorPolicy;
import io.meshwork.model.networking.Destination;
import io.meshwork.model.networking.HTTPDirectResponse;
import io.meshwork.model.networking.HTTPFaultInjection;
import io.meshwork.model.networking.HTTPMatchRequest;
import io.meshwork.model.networking.HTTPRedirect;
import io.meshwork.model.networking.HTTPRetry;
import io.meshwork.model.networking.HTTPRewrite;
import io.meshwork.model.networking.HTTPRoute;
import io.meshwork.model.networking.HTTPRouteDestination;
import io.meshwork.model.networking.HeaderOperations;
import io.meshwork.model.networking.Headers;
import io.meshwork.model.networking.RouteDestination;
import io.meshwork.model.networking.StringMatch;
import io.meshwork.model.networking.TCPRoute;
import io.meshwork.model.networking.TLSRoute;
import io.meshwork.model.networking.VirtualService;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Istio's VirtualService validation (pilot/pkg/config/validation semantics). */
final class VirtualServiceRules {
  /** Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on conditions that Istio accepts in retryOn. */
  static final Set<String> RETRY_ON = Set.of("5xx", "gateway-error", "reset", "connect-failure",
      "envoy-ratelimited", "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers",
      "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable");
  private static final String RETRY_ON_EXPECTED = "comma-separated retry conditions, each one of "
      + String.join(", ", RETRY_ON.stream().sorted().toList()) + " or an HTTP status code";

  private VirtualServiceRules() {}

  static void check(VirtualService vs, String path, Findings f) {
    f.requiredNonEmpty(child(path, "hosts"), vs.hosts(), "at least one host");
    for (int i = 0; i < vs.hosts().size(); i++) {
      f.required(index(child(path, "hosts"), i), vs.hosts().get(i), "a host name");
    }
    if (vs.http().isEmpty() && vs.tcp().isEmpty() && vs.tls().isEmpty()) {
      f.missing(child(path, "http"), "at least one of http, tcp or tls routes");
    }
    for (int i = 0; i < vs.http().size(); i++) {
      httpRoute(vs.http().get(i), index(child(path, "http"), i), f);
    }
    for (int i = 0; i < vs.tcp().size(); i++) {
      TCPRoute r = vs.tcp().get(i);
      String p = index(child(path, "tcp"), i);
      for (int j = 0; j < r.match().size(); j++) {
        f.port(child(index(child(p, "match"), j), "port"), r.match().get(j).port());
      }
      routeDestinations(r.route(), child(p, "route"), f);
    }
    for (int i = 0; i < vs.tls().size(); i++) {
      TLSRoute r = vs.tls().get(i);
      String p = index(child(path, "tls"), i);
      f.requiredNonEmpty(child(p, "match"), r.match(), "at least one match with sniHosts");
      for (int j = 0; j < r.match().size(); j++) {
        String m = index(child(p, "match"), j);
        f.requiredNonEmpty(child(m, "sniHosts"), r.match().get(j).sniHosts(), "at least one SNI host");
        f.port(child(m, "port"), r.match().get(j).port());
      }
      routeDestinations(r.route(), child(p, "route"), f);
    }
  }

  private static void httpRoute(HTTPRoute r, String p, Findings f) {
    List<String> actions = new java.util.ArrayList<>();
    if (!r.route().isEmpty()) {
      actions.add("route");
    }
    if (r.redirect() != null) {
      actions.add("redirect");
    }
    if (r.directResponse() != null) {
      actions.add("directResponse");
    }
    if (r.delegate() != null) {
      actions.add("delegate");
    }
    if (actions.isEmpty()) {
      f.missing(p, "exactly one of route, redirect, directResponse or delegate");
    } else if (actions.size() > 1) {
      f.describe(p, String.join(" and ", actions) + " set",
          "exactly one of route, redirect, directResponse or delegate");
    }
    for (int i = 0; i < r.match().size(); i++) {
      match(r.match().get(i), index(child(p, "match"), i), f);
    }
    List<HTTPRouteDestination> route = r.route();
    int total = 0;
    for (int i = 0; i < route.size(); i++) {
      HTTPRouteDestination d = route.get(i);
      String dp = index(child(p, "route"), i);
      destination(d.destination(), child(dp, "destination"), f);
      f.range(child(dp, "weight"), d.weight(), 0, 100, "an integer 0..100");
      total += d.weight() == null ? 0 : d.weight();
      headers(d.headers(), child(dp, "headers"), f);
    }
    if (route.size() > 1 && total != 100) {
      f.describe(child(p, "route"), "weights summing to " + total, "weights summing to 100");
    }
    f.duration(child(p, "timeout"), r.timeout());
    retries(r.retries(), child(p, "retries"), f);
    fault(r.fault(), child(p, "fault"), f);
    rewrite(r.rewrite(), child(p, "rewrite"), f);
    redirect(r.redirect(), child(p, "redirect"), f);
    directResponse(r.directResponse(), child(p, "directResponse"), f);
    if (r.delegate() != null) {
      f.required(child(child(p, "delegate"), "name"), r.delegate().name(), "the delegate VirtualService's name");
    }
    if (r.mirror() != null) {
      destination(r.mirror(), child(p, "mirror"), f);
    }
    if (r.mirrorPercentage() != null) {
      f.percent(child(child(p, "mirrorPercentage"), "value"), r.mirrorPercentage().value());
    }
    for (int i = 0; i < r.mirrors().size(); i++) {
      HTTPMirrorPolicy m = r.mirrors().get(i);
      String mp = index(child(p, "mirrors"), i);
      if (m == null || m.destination() == null) {
        f.error(child(mp, "destination"), null, "a destination");
        continue;
      }
      destination(m.destination(), child(mp, "destination"), f);
      if (m.percentage() != null) {
        f.percent(child(child(mp, "percentage"), "value"), m.percentage().value());
      }
    }
    if (r.mirror() != null && !r.mirrors().isEmpty()) {
      f.error(child(p, "mirrors"), "set with mirror", "one of mirror or mirrors (Istio)");
    }
    cors(r.corsPolicy(), child(p, "corsPolicy"), f);
    headers(r.headers(), child(p, "headers"), f);
  }

  static void match(HTTPMatchRequest m, String p, Findings f) {
    f.stringMatch(child(p, "uri"), m.uri());
    f.stringMatch(child(p, "scheme"), m.scheme());
    f.stringMatch(child(p, "method"), m.method());
    f.stringMatch(child(p, "authority"), m.authority());
    headerMatches(m.headers(), child(p, "headers"), f);
    headerMatches(m.withoutHeaders(), child(p, "withoutHeaders"), f);
    for (Map.Entry<String, StringMatch> q : m.queryParams().entrySet()) {
      f.stringMatch(child(child(p, "queryParams"), q.getKey()), q.getValue());
    }
    f.port(child(p, "port"), m.port());
  }

  private static void headerMatches(Map<String, StringMatch> headers, String p, Findings f) {
    for (Map.Entry<String, StringMatch> h : headers.entrySet()) {
      String hp = child(p, h.getKey());
      f.headerName(hp, h.getKey());
      f.stringMatch(hp, h.getValue());
    }
  }

  static void destination(Destination d, String p, Findings f) {
    if (d == null) {
      f.missing(p, "a destination with a host");
      return;
    }
    f.required(child(p, "host"), d.host(), "a service host name");
    if (d.subset() != null) {
      f.dnsLabel(child(p, "subset"), d.subset());
    }
    if (d.port() != null) {
      f.port(child(child(p, "port"), "number"), d.port().number());
    }
  }

  private static void routeDestinations(List<RouteDestination> route, String p, Findings f) {
    f.requiredNonEmpty(p, route, "at least one destination");
    int total = 0;
    for (int i = 0; i < route.size(); i++) {
      RouteDestination d = route.get(i);
      destination(d.destination(), child(index(p, i), "destination"), f);
      f.range(child(index(p, i), "weight"), d.weight(), 0, 100, "an integer 0..100");
      total += d.weight() == null ? 0 : d.weight();
    }
    if (route.size() > 1 && total != 100) {
      f.describe(p, "weights summing to " + total, "weights summing to 100");
    }
  }

  private static void retries(HTTPRetry r, String p, Findings f) {
    if (r == null) {
      return;
    }
    f.nonNegative(child(p, "attempts"), r.attempts());
    f.duration(child(p, "perTryTimeout"), r.perTryTimeout());
    if (r.retryOn() != null) {
      for (String condition : r.retryOn().split(",", -1)) {
        String c = condition.strip();
        if (!RETRY_ON.contains(c) && !isStatusCode(c)) {
          f.error(child(p, "retryOn"), c, RETRY_ON_EXPECTED);
        }
      }
    }
  }

  private static boolean isStatusCode(String s) {
    return s.matches("[1-5][0-9][0-9]");
  }

  private static void fault(HTTPFaultInjection fault, String p, Findings f) {
    if (fault == null) {
      return;
    }
    if (fault.delay() == null && fault.abort() == null) {
      f.missing(p, "a delay or an abort");
    }
    if (fault.delay() != null) {
      String dp = child(p, "delay");
      if (fault.delay().fixedDelay() == null) {
        f.missing(child(dp, "fixedDelay"), "a duration such as 5s");
      }
      f.duration(child(dp, "fixedDelay"), fault.delay().fixedDelay());
      if (fault.delay().percentage() != null) {
        f.percent(child(child(dp, "percentage"), "value"), fault.delay().percentage().value());
      }
    }
    if (fault.abort() != null) {
      String ap = child(p, "abort");
      HTTPFaultInjection.Abort a = fault.abort();
      if (Findings.count(a.httpStatus(), a.grpcStatus()) != 1) {
        f.missing(child(ap, "httpStatus"), "exactly one of httpStatus or grpcStatus");
      }
      f.range(child(ap, "httpStatus"), a.httpStatus(), 200, 599, "an HTTP status 200..599");
      if (a.percentage() != null) {
        f.percent(child(child(ap, "percentage"), "value"), a.percentage().value());
      }
    }
  }

  private static void rewrite(HTTPRewrite r, String p, Findings f) {
    if (r == null) {
      return;
    }
    if (r.uri() != null && r.uriRegexRewrite() != null) {
      f.describe(child(p, "uriRegexRewrite"), "set together with uri", "at most one of uri and uriRegexRewrite");
    }
    if (r.uriRegexRewrite() != null) {
      String rp = child(p, "uriRegexRewrite");
      if (f.required(child(rp, "match"), r.uriRegexRewrite().match(), "a regular expression")) {
        f.regex(child(rp, "match"), r.uriRegexRewrite().match());
      }
    }
  }

  private static void redirect(HTTPRedirect r, String p, Findings f) {
    if (r == null) {
      return;
    }
    f.range(child(p, "redirectCode"), r.redirectCode(), 300, 399, "a redirect status 300..399");
    f.port(child(p, "port"), r.port());
    if (r.port() != null && r.derivePort() != null) {
      f.error(child(p, "derivePort"), r.derivePort(), "at most one of port and derivePort");
    }
    if (r.derivePort() != null && !Set.of("FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT").contains(r.derivePort())) {
      f.error(child(p, "derivePort"), r.derivePort(), "FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT");
    }
  }

  private static void directResponse(HTTPDirectResponse r, String p, Findings f) {
    if (r == null) {
      return;
    }
    if (r.status() == null) {
      f.missing(child(p, "status"), "an HTTP status 200..599");
    }
    f.range(child(p, "status"), r.status(), 200, 599, "an HTTP status 200..599");
    if (r.body() != null) {
      String bp = child(p, "body");
      if (Findings.count(r.body().string(), r.body().bytes()) != 1) {
        f.missing(bp, "exactly one of string or bytes");
      }
      if (r.body().bytes() != null) {
        try {
          Base64.getDecoder().decode(r.body().bytes());
        } catch (IllegalArgumentException e) {
          f.error(child(bp, "bytes"), r.body().bytes(), "base64 data");
        }
      }
    }
  }

  private static void cors(CorsPolicy c, String p, Findings f) {
    if (c == null) {
      return;
    }
    for (int i = 0; i < c.allowOrigins().size(); i++) {
      f.stringMatch(index(child(p, "allowOrigins"), i), c.allowOrigins().get(i));
    }
    for (int i = 0; i < c.allowHeaders().size(); i++) {
      f.headerName(index(child(p, "allowHeaders"), i), c.allowHeaders().get(i));
    }
    for (int i = 0; i < c.exposeHeaders().size(); i++) {
      f.headerName(index(child(p, "exposeHeaders"), i), c.exposeHeaders().get(i));
    }
    f.duration(child(p, "maxAge"), c.maxAge());
  }

  static void headers(Headers h, String p, Findings f) {
    if (h == null) {
      return;
    }
    headerOperations(h.request(), child(p, "request"), f);
    headerOperations(h.response(), child(p, "response"), f);
  }

  private static void headerOperations(HeaderOperations ops, String p, Findings f) {
    if (ops == null) {
      return;
    }
    ops.set().keySet().forEach(name -> f.headerName(child(child(p, "set"), name), name));
    ops.add().keySet().forEach(name -> f.headerName(child(child(p, "add"), name), name));
    for (int i = 0; i < ops.remove().size(); i++) {
      f.headerName(index(child(p, "remove"), i), ops.remove().get(i));
    }
  }
}
