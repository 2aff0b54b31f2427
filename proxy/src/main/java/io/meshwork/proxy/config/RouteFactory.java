package io.meshwork.proxy.config;

import io.meshwork.model.Resource;
import io.meshwork.model.networking.CorsPolicy;
import io.meshwork.model.networking.Destination;
import io.meshwork.model.networking.HTTPDirectResponse;
import io.meshwork.model.networking.HTTPMirrorPolicy;
import io.meshwork.model.networking.HTTPRedirect;
import io.meshwork.model.networking.HTTPRewrite;
import io.meshwork.model.networking.HTTPRoute;
import io.meshwork.model.networking.HTTPRouteDestination;
import io.meshwork.model.networking.HeaderOperations;
import io.meshwork.model.networking.Headers;
import io.meshwork.model.networking.Percent;
import io.meshwork.model.networking.VirtualService;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.retry.RetryPolicy;
import io.meshwork.proxy.route.AnyOfBlocks;
import io.meshwork.proxy.route.CorsRules;
import io.meshwork.proxy.route.FaultPolicy;
import io.meshwork.proxy.route.HeaderOps;
import io.meshwork.proxy.route.Route;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.RouteMatch;
import io.meshwork.proxy.route.StringMatcher;
import io.meshwork.proxy.route.UriRewrite;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Compiles the http routes of one VirtualService into {@link Route}s, in order. */
final class RouteFactory {
  private final ServiceCatalog catalog;
  private final ClusterFactory clusters;
  private final MatchCompiler matches;
  private final Notices notices;

  RouteFactory(ServiceCatalog catalog, ClusterFactory clusters, MatchCompiler matches, Notices notices) {
    this.catalog = catalog;
    this.clusters = clusters;
    this.matches = matches;
    this.notices = notices;
  }

  /** The default route of a service without a VirtualService: everything to the whole service. */
  Route defaultRoute(MeshService service) {
    Cluster cluster = clusters.cluster(service.host(), null, null);
    return new Route("default", new AnyOfBlocks(List.of()), new RouteAction.Forward(
        List.of(new RouteAction.WeightedCluster(cluster, 100, HeaderOps.NONE, HeaderOps.NONE)),
        Duration.ZERO, RetryPolicies.ISTIO_DEFAULT, null, null, HeaderOps.NONE, HeaderOps.NONE));
  }

  List<Route> routes(Resource<VirtualService> vs) {
    List<Route> routes = new ArrayList<>();
    List<HTTPRoute> http = vs.spec().http();
    for (int i = 0; i < http.size(); i++) {
      String field = "spec.http[" + i + "]";
      try {
        Route route = route(vs, http.get(i), field, i);
        if (route != null) {
          routes.add(route);
        }
      } catch (IllegalArgumentException e) {
        // Validation rejects these before compile; a resource that slipped through loses one route, not the snapshot.
        notices.add(vs, field, "is invalid and skipped: " + e.getMessage());
      }
    }
    return routes;
  }

  private Route route(Resource<VirtualService> vs, HTTPRoute r, String field, int index) {
    noticeUnenforced(vs, r, field);
    RouteMatch match = matches.compile(r.match(), field + ".match");
    if (match == null) {
      return null;
    }
    String name = r.name() != null && !r.name().isBlank() ? r.name() : vs.name() + "/" + index;
    RouteAction action;
    if (r.redirect() != null) {
      action = redirect(vs, r.redirect(), field);
    } else if (r.directResponse() != null) {
      action = directResponse(r.directResponse(), r.headers());
    } else if (r.delegate() != null) {
      notices.notEnforced(vs, field + ".delegate");
      return null;
    } else if (!r.route().isEmpty()) {
      action = forward(vs, r, field);
    } else {
      notices.add(vs, field, "has no route, redirect or directResponse; skipped");
      return null;
    }
    return new Route(name, match, action);
  }

  private void noticeUnenforced(Resource<VirtualService> vs, HTTPRoute r, String field) {
  }

  private RouteAction.Forward forward(Resource<VirtualService> vs, HTTPRoute r, String field) {
    List<HTTPRouteDestination> dests = r.route();
    List<RouteAction.WeightedCluster> weighted = new ArrayList<>();
    for (int j = 0; j < dests.size(); j++) {
      HTTPRouteDestination d = dests.get(j);
      String destField = field + ".route[" + j + "].destination";
      if (d.destination() == null || d.destination().host() == null) {
        notices.add(vs, destField + ".host", "is missing; destination skipped");
        continue;
      }
      // Istio: a single destination takes all traffic; with several, an unset weight is 0.
      int weight = d.weight() != null ? d.weight() : dests.size() == 1 ? 100 : 0;
      if (weight <= 0) {
        continue;
      }
      String host = catalog.hostNames().resolve(d.destination().host(), vs.namespace());
      String subset = d.destination().subset();
      Integer port = d.destination().port() == null ? null : d.destination().port().number();
      checkDestination(vs, destField, d.destination().host(), host, port, subset);
      Headers h = d.headers();
      weighted.add(new RouteAction.WeightedCluster(clusters.cluster(host, port, subset), weight,
          ops(h == null ? null : h.request()), ops(h == null ? null : h.response())));
    }
    if (weighted.isEmpty()) {
      throw new IllegalArgumentException(field + ".route: no destination with a positive weight (expected: at least one)");
    }
    HTTPRewrite rewrite = r.rewrite();
    Headers h = r.headers();
    FaultPolicy fault = FaultPolicies.of(r.fault(), field);
    Duration timeout = r.timeout() == null ? Duration.ZERO : r.timeout();
    RetryPolicy retries =
        RetryPolicies.of(r.retries(), on -> notices.add(vs, field + ".retries.retryOn", on + " is accepted but not enforced yet"));
    if (!fault.isNone()) {
      // Istio: "timeouts or retries will not be enabled when faults are enabled on the client side".
      if (!timeout.isZero()) {
        notices.add(vs, field + ".timeout", "is off because the route injects faults (as in Istio)");
      }
      if (r.retries() != null && (r.retries().attempts() == null || r.retries().attempts() > 0)) {
        notices.add(vs, field + ".retries", "are off because the route injects faults (as in Istio)");
      }
      timeout = Duration.ZERO;
      retries = RetryPolicy.NONE;
    }
    return new RouteAction.Forward(
        weighted,
        timeout,
        retries,
        uriRewrite(rewrite, field),
        rewrite == null ? null : rewrite.authority(),
        ops(h == null ? null : h.request()),
        ops(h == null ? null : h.response()),
        fault,
        cors(r.corsPolicy(), field + ".corsPolicy"),
        mirrors(vs, r, field));
  }

  /** Istio {@code mirror} with {@code mirrorPercentage}, or {@code mirrors}; a share left unset is 100 %. */
  private List<RouteAction.Mirror> mirrors(Resource<VirtualService> vs, HTTPRoute r, String field) {
    List<RouteAction.Mirror> out = new ArrayList<>();
    if (r.mirror() != null) {
      mirror(vs, r.mirror(), r.mirrorPercentage(), field + ".mirror", out);
    }
    for (int i = 0; i < r.mirrors().size(); i++) {
      HTTPMirrorPolicy m = r.mirrors().get(i);
      if (m != null && m.destination() != null) {
        mirror(vs, m.destination(), m.percentage(), field + ".mirrors[" + i + "].destination", out);
      }
    }
    return out;
  }

  private void mirror(Resource<VirtualService> vs, Destination d, Percent share, String field,
      List<RouteAction.Mirror> out) {
    if (d.host() == null) {
      notices.add(vs, field + ".host", "is missing; mirror skipped");
      return;
    }
    String host = catalog.hostNames().resolve(d.host(), vs.namespace());
    Integer port = d.port() == null ? null : d.port().number();
    checkDestination(vs, field, d.host(), host, port, d.subset());
    double percent = share == null || share.value() == null ? 100 : share.value();
    if (percent > 0) {
      out.add(new RouteAction.Mirror(clusters.cluster(host, port, d.subset()), percent));
    }
  }

  /** Istio CorsPolicy, compiled once per snapshot; null when the route has none. */
  private static CorsRules cors(CorsPolicy policy, String field) {
    if (policy == null) {
      return null;
    }
    List<StringMatcher> origins = new ArrayList<>();
    for (int i = 0; i < policy.allowOrigins().size(); i++) {
      origins.add(MatchCompiler.matcher(policy.allowOrigins().get(i), field + ".allowOrigins[" + i + "]"));
    }
    return CorsRules.of(origins, policy.allowMethods(), policy.allowHeaders(), policy.exposeHeaders(), policy.maxAge(),
        policy.allowCredentials());
  }

  /** Notices for destinations that will answer 503 or not be what the author meant. */
  private void checkDestination(Resource<VirtualService> vs, String field, String written, String host, Integer port,
      String subset) {
    MeshService service = catalog.get(host);
    if (service == null) {
      notices.add(vs, field + ".host", written + " is not a known service (requests answer 503)");
      return;
    }
    if (port != null && service.ports().stream().noneMatch(p -> port.equals(p.number()))) {
      notices.add(vs, field + ".port.number", port + " is not a port of " + host + "; its first port is used");
    }
    if (subset != null && !subset.isEmpty() && !clusters.hasSubset(host, subset)) {
      notices.add(vs, field + ".subset", subset + " is not defined by a DestinationRule for " + host + " (requests answer 503)");
    }
  }

  private RouteAction.Redirect redirect(Resource<VirtualService> vs, HTTPRedirect r, String field) {
    if (r.derivePort() != null) {
      notices.notEnforced(vs, field + ".redirect.derivePort");
    }
    return new RouteAction.Redirect(r.uri(), r.authority(), r.scheme(), r.port() == null ? 0 : r.port(),
        r.redirectCode() == null || r.redirectCode() == 0 ? 301 : r.redirectCode());
  }

  private static RouteAction.DirectResponse directResponse(HTTPDirectResponse r, Headers headers) {
    String body = "";
    if (r.body() != null) {
      body = r.body().string() != null ? r.body().string()
          : r.body().bytes() != null ? new String(Base64.getDecoder().decode(r.body().bytes()), StandardCharsets.UTF_8)
          : "";
    }
    return new RouteAction.DirectResponse(r.status() == null ? 200 : r.status(), body,
        ops(headers == null ? null : headers.response()));
  }

  private static UriRewrite uriRewrite(HTTPRewrite rewrite, String field) {
    if (rewrite == null) {
      return null;
    }
    if (rewrite.uriRegexRewrite() != null && rewrite.uriRegexRewrite().match() != null) {
      try {
        return new UriRewrite.RegexReplace(Pattern.compile(rewrite.uriRegexRewrite().match()),
            javaReplacement(rewrite.uriRegexRewrite().rewrite() == null ? "" : rewrite.uriRegexRewrite().rewrite()));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(field + ".rewrite.uriRegexRewrite.match: " + rewrite.uriRegexRewrite().match()
            + " (expected: a valid regular expression; " + e.getDescription() + ")");
      }
    }
    return rewrite.uri() == null ? null : new UriRewrite.Replace(rewrite.uri());
  }

  /** Envoy's regex substitution names groups \1..\9; Java's replacement syntax is $1 and treats $ and \ specially. */
  static String javaReplacement(String envoy) {
    StringBuilder out = new StringBuilder(envoy.length() + 8);
    for (int i = 0; i < envoy.length(); i++) {
      char c = envoy.charAt(i);
      if (c == '\\' && i + 1 < envoy.length() && Character.isDigit(envoy.charAt(i + 1))) {
        out.append('$').append(envoy.charAt(++i));
      } else if (c == '$' || c == '\\') {
        out.append('\\').append(c);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static HeaderOps ops(HeaderOperations h) {
    if (h == null) {
      return HeaderOps.NONE;
    }
    HeaderOps ops = new HeaderOps(h.set(), h.add(), h.remove());
    return ops.isEmpty() ? HeaderOps.NONE : ops;
  }
}
