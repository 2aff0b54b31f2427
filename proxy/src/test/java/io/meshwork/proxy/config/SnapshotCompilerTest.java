package io.meshwork.proxy.config;

import static io.meshwork.proxy.config.Resources.workload;
import static io.meshwork.proxy.config.Resources.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.ObjectMeta;
import io.meshwork.model.Resource;
import io.meshwork.model.networking.Destination;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.HTTPMatchRequest;
import io.meshwork.model.networking.HTTPRoute;
import io.meshwork.model.networking.HTTPRouteDestination;
import io.meshwork.model.networking.StringMatch;
import io.meshwork.model.networking.Subset;
import io.meshwork.model.networking.VirtualService;
import io.meshwork.model.networking.WorkloadEntry;
import io.meshwork.proxy.balancer.RequestHash;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.retry.RetryOn;
import io.meshwork.proxy.retry.RetryPolicy;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.RouteDecision;
import io.meshwork.proxy.route.UriRewrite;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SnapshotCompilerTest {
  private static final LocalService FRONTEND = new LocalService("frontend", "shop");
  private final SnapshotCompiler compiler = new SnapshotCompiler();

  private static final String ORDERS = workload("orders-1", "shop", "orders", "10.0.0.1", "http: 8081", "version: v1")
      + workload("orders-2", "shop", "orders", "10.0.0.2", "http: 8082, metrics: 9100", "version: v2");

  private MeshSnapshot compile(String text) {
    return compiler.compile(1, yaml(text), FRONTEND);
  }

  private static RouteDecision route(MeshSnapshot s, String host, String path) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    r.headers().set("host", host);
    return s.outbound().route(r, host, 0, path, 0.5);
  }

  private static Cluster cluster(MeshSnapshot s, String host, String path) {
    return ((RouteDecision.Matched) route(s, host, path)).cluster();
  }

  private static RouteAction action(MeshSnapshot s, String host, String path) {
    return ((RouteDecision.Matched) route(s, host, path)).route().action();
  }

  @Test
  void implicitServiceIsRoutableByEveryAlias() {
    MeshSnapshot s = compile(ORDERS);
    for (String host : List.of("orders", "orders.shop", "orders.shop.svc", "orders.shop.svc.cluster.local")) {
      Cluster c = cluster(s, host, "/");
      assertThat(c.name()).isEqualTo("outbound|80||orders.shop.svc.cluster.local");
      assertThat(c.endpoints()).extracting(Endpoint::authority).containsExactly("10.0.0.1:8081", "10.0.0.2:8082");
    }
    assertThat(route(s, "payments", "/")).isEqualTo(new RouteDecision.UnknownHost("payments"));
  }

  @Test
  void shortNamesResolveOnlyInTheCallersNamespace() {
    MeshSnapshot s = compile(workload("pay", "billing", "payments", "10.0.1.1", "http: 80", ""));
    assertThat(route(s, "payments", "/")).isInstanceOf(RouteDecision.UnknownHost.class);
    assertThat(cluster(s, "payments.billing", "/").host()).isEqualTo("payments.billing.svc.cluster.local");
  }

  @Test
  void implicitServicePrefersAnHttpPortAndGrpcMeansHttp2() {
    MeshSnapshot s = compile(workload("a", "shop", "api", "10.0.0.9", "admin: 9000, grpc-api: 7000", ""));
    Cluster c = cluster(s, "api", "/");
    assertThat(c.endpoints()).extracting(Endpoint::authority).containsExactly("10.0.0.9:7000");
    assertThat(c.protocol()).isEqualTo(UpstreamProtocol.HTTP2);
  }

  @Test
  void serviceEntryPortsTargetPortsAndNamedWorkloadPorts() {
    MeshSnapshot s = compile("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: catalog, namespace: shop}
        spec:
          hosts: [catalog.example.com]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: 80, name: http, protocol: HTTP, targetPort: 8080}
          endpoints:
          - address: 10.2.0.1
          - address: 10.2.0.2
            ports: {http: 9999}
            weight: 3
        """);
    Cluster c = cluster(s, "catalog.example.com", "/");
    assertThat(c.endpoints()).extracting(Endpoint::authority).containsExactly("10.2.0.1:8080", "10.2.0.2:9999");
    assertThat(c.endpoints()).extracting(Endpoint::weight).containsExactly(1, 3);
    // Istio's protocol selection: a port declared HTTP is HTTP/1.1 to its endpoints, whatever the caller spoke.
    assertThat(c.protocol()).isEqualTo(UpstreamProtocol.HTTP1);
  }

  @Test
  void upstreamProtocolFollowsIstiosProtocolSelection() {
    String entry = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: api, namespace: shop}
        spec:
          hosts: [api.example.com]
          resolution: STATIC
          ports:
          - {number: 80, name: %s}
          endpoints:
          - address: 10.2.0.1
        ---
        """;
    assertThat(cluster(compile(entry.formatted("http-web")), "api.example.com", "/").protocol())
        .isEqualTo(UpstreamProtocol.HTTP1);
    assertThat(cluster(compile(entry.formatted("web")), "api.example.com", "/").protocol())
        .as("no declared protocol: the caller's").isEqualTo(UpstreamProtocol.USE_DOWNSTREAM);
    String clientProtocol = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: api, namespace: shop}
        spec:
          host: api.example.com
          trafficPolicy:
            connectionPool:
              http: {useClientProtocol: true}
        """;
    assertThat(cluster(compile(entry.formatted("http") + clientProtocol), "api.example.com", "/").protocol())
        .isEqualTo(UpstreamProtocol.USE_DOWNSTREAM);
  }

  @Test
  void serviceEntryWorkloadSelectorAndDnsHosts() {
    MeshSnapshot s = compile(workload("db-1", "shop", "db-proxy", "10.3.0.1", "tcp: 5432", "role: db") + """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: db, namespace: shop}
        spec:
          hosts: [db.internal]
          ports: [{number: 5432, name: tcp, protocol: TCP}]
          resolution: STATIC
          workloadSelector: {labels: {role: db}}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: httpbin, namespace: shop}
        spec:
          hosts: [httpbin.org]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: DNS
        """);
    assertThat(cluster(s, "db.internal", "/").endpoints()).extracting(Endpoint::authority).containsExactly("10.3.0.1:5432");
    Endpoint external = cluster(s, "httpbin.org", "/").endpoints().get(0);
    assertThat(external.authority()).isEqualTo("httpbin.org:80");
    assertThat(external.address().isUnresolved()).isTrue();
  }

  @Test
  void unknownSubsetGivesAnEmptyClusterAndANotice() {
    MeshSnapshot s = compile(ORDERS + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: orders, namespace: shop}
        spec:
          hosts: [orders]
          http:
          - route:
            - destination: {host: orders, subset: v3}
        """);
    Cluster c = cluster(s, "orders", "/");
    assertThat(c.name()).isEqualTo("outbound|80|v3|orders.shop.svc.cluster.local");
    assertThat(c.endpoints()).isEmpty();
    assertThat(c.pick(0, false, Set.of())).isNull();
    assertThat(s.notices()).contains("VirtualService shop/orders: spec.http[0].route[0].destination.subset v3 is not "
        + "defined by a DestinationRule for orders.shop.svc.cluster.local (requests answer 503)");
  }

  @Test
  void subsetPolicyOverridesTheRulesAndConsistentHashIsBuilt() {
    MeshSnapshot s = compile(ORDERS + """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: orders, namespace: shop}
        spec:
          host: orders
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpHeaderName: x-user}
            connectionPool:
              tcp: {connectTimeout: 250ms}
              http: {idleTimeout: 30s, maxRequestsPerConnection: 10}
          subsets:
          - name: v1
            labels: {version: v1}
          - name: v2
            labels: {version: v2}
            trafficPolicy:
              loadBalancer:
                consistentHash:
                  useSourceIp: true
                  maglev: {tableSize: 251}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: orders, namespace: shop}
        spec:
          hosts: [orders]
          http:
          - match: [{uri: {prefix: /v2}}]
            route: [{destination: {host: orders, subset: v2}}]
          - route: [{destination: {host: orders, subset: v1}}]
        """);
    Cluster v1 = cluster(s, "orders", "/");
    assertThat(v1.loadBalancer()).hasToString("RING_HASH");
    assertThat(v1.hashPolicy()).isEqualTo(new RequestHash.Header("x-user"));
    assertThat(v1.pool().connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(v1.pool().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(v1.pool().maxRequestsPerConnection()).isEqualTo(10);
    assertThat(v1.endpoints()).extracting(Endpoint::authority).containsExactly("10.0.0.1:8081");
    Cluster v2 = cluster(s, "orders", "/v2/x");
    assertThat(v2.loadBalancer()).hasToString("MAGLEV");
    assertThat(v2.hashPolicy()).isEqualTo(new RequestHash.SourceIp());
    // The pool comes from the rule: the subset policy overrides only what it sets.
    assertThat(v2.pool().maxRequestsPerConnection()).isEqualTo(10);
    // The whole-service cluster exists as well, for requests that name no subset.
    assertThat(s.clusters()).containsKey("outbound|80||orders.shop.svc.cluster.local");
  }

  @Test
  void retryPoliciesFollowIstio() {
    MeshSnapshot s = compile(ORDERS + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: orders, namespace: shop}
        spec:
          hosts: [orders]
          http:
          - match: [{uri: {prefix: /none}}]
            retries: {attempts: 0}
            route: [{destination: {host: orders}}]
          - match: [{uri: {prefix: /codes}}]
            retries: {attempts: 4, retryOn: "gateway-error,502,504", perTryTimeout: 300ms}
            timeout: 2s
            route: [{destination: {host: orders}}]
          - route: [{destination: {host: orders}}]
        """);
    assertThat(((RouteAction.Forward) action(s, "orders", "/none")).retries()).isEqualTo(RetryPolicy.NONE);
    RetryPolicy codes = ((RouteAction.Forward) action(s, "orders", "/codes")).retries();
    assertThat(codes.attempts()).isEqualTo(4);
    assertThat(codes.perTryTimeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(codes.retryOn()).containsExactlyInAnyOrder(RetryOn.GATEWAY_ERROR, RetryOn.RETRIABLE_STATUS_CODES);
    assertThat(codes.retriableStatusCodes()).containsExactlyInAnyOrder(502, 504);
    assertThat(((RouteAction.Forward) action(s, "orders", "/codes")).timeout()).isEqualTo(Duration.ofSeconds(2));
    RetryPolicy defaults = ((RouteAction.Forward) action(s, "orders", "/")).retries();
    assertThat(defaults.attempts()).isEqualTo(2);
    assertThat(defaults.retryOn()).containsExactlyInAnyOrder(RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM,
        RetryOn.UNAVAILABLE, RetryOn.CANCELLED, RetryOn.RETRIABLE_STATUS_CODES);
    assertThat(defaults.retriableStatusCodes()).containsExactly(503);
  }

  @Test
  void redirectsDirectResponsesRewritesAndHeaders() {
    MeshSnapshot s = compile(ORDERS + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: orders, namespace: shop}
        spec:
          hosts: [orders]
          http:
          - match: [{uri: {exact: /old}}]
            redirect: {uri: /new, redirectCode: 308}
          - match: [{uri: {exact: /health}}]
            directResponse: {status: 200, body: {string: ok}}
            headers: {response: {set: {x-served-by: mesh}}}
          - match: [{uri: {prefix: /api/v1}}]
            rewrite: {uri: /v1, authority: orders-internal}
            headers:
              request: {set: {x-route: api}, remove: [x-debug]}
            route:
            - destination: {host: orders}
              headers: {request: {add: {x-dest: orders}}}
          - match: [{uri: {regex: "/items/([0-9]+)"}}]
            rewrite: {uriRegexRewrite: {match: "/items/([0-9]+)", rewrite: "/item?id=\\\\1"}}
            route: [{destination: {host: orders}}]
        """);
    assertThat(action(s, "orders", "/old")).isEqualTo(new RouteAction.Redirect("/new", null, null, 0, 308));
    RouteAction.DirectResponse direct = (RouteAction.DirectResponse) action(s, "orders", "/health");
    assertThat(direct.status()).isEqualTo(200);
    assertThat(direct.body()).isEqualTo("ok");
    assertThat(direct.responseHeaders().set()).containsEntry("x-served-by", "mesh");
    RouteDecision.Matched api = (RouteDecision.Matched) route(s, "orders", "/api/v1/list");
    RouteAction.Forward f = (RouteAction.Forward) api.route().action();
    assertThat(f.uriRewrite().apply("/api/v1/list", api.matchedPrefix())).isEqualTo("/v1/list");
    assertThat(f.authorityRewrite()).isEqualTo("orders-internal");
    assertThat(f.requestHeaders().set()).containsEntry("x-route", "api");
    assertThat(f.requestHeaders().remove()).containsExactly("x-debug");
    assertThat(api.destination().requestHeaders().add()).containsEntry("x-dest", "orders");
    RouteDecision.Matched items = (RouteDecision.Matched) route(s, "orders", "/items/42");
    UriRewrite rx = ((RouteAction.Forward) items.route().action()).uriRewrite();
    assertThat(rx.apply("/items/42", items.matchedPrefix())).isEqualTo("/item?id=42");
    assertThat(route(s, "orders", "/other")).isEqualTo(new RouteDecision.NoRouteMatched("orders"));
  }

  @Test
  void virtualServiceForAnExternalHostAndGatewayOnlyServices() {
    MeshSnapshot s = compile(ORDERS + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: shop-api, namespace: shop}
        spec:
          hosts: [api.shop.example]
          http:
          - route: [{destination: {host: orders}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: edge, namespace: shop}
        spec:
          hosts: [orders]
          gateways: [edge-gateway]
          http:
          - route: [{destination: {host: nowhere}}]
        """);
    assertThat(cluster(s, "api.shop.example", "/").host()).isEqualTo("orders.shop.svc.cluster.local");
    assertThat(cluster(s, "orders", "/").name()).isEqualTo("outbound|80||orders.shop.svc.cluster.local");
    assertThat(s.notices()).contains(
        "VirtualService shop/edge: spec.gateways does not include mesh; the VirtualService applies to gateways only");
  }

  @Test
  void sourceConditionsAreDecidedForTheLocalService() {
    MeshSnapshot s = compile(ORDERS + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: orders, namespace: shop}
        spec:
          hosts: [orders]
          http:
          - match: [{sourceLabels: {app: admin}}]
            route: [{destination: {host: orders}}]
            name: admin-only
          - match: [{sourceLabels: {app: frontend}, sourceNamespace: shop}]
            route: [{destination: {host: orders}}]
            name: frontend
        """);
    assertThat(((RouteDecision.Matched) route(s, "orders", "/")).route().name()).isEqualTo("frontend");
  }

  @Test
  void endpointsKeepTheirIdentityAndCountersAcrossCompiles() {
    MeshSnapshot first = compile(ORDERS);
    Endpoint e = cluster(first, "orders", "/").endpoints().get(0);
    e.requestStarted();
    MeshSnapshot second = compiler.compile(2, yaml(ORDERS + workload("orders-3", "shop", "orders", "10.0.0.3", "http: 8083", "")), FRONTEND);
    Endpoint again = cluster(second, "orders", "/").endpoints().get(0);
    assertThat(again).isSameAs(e);
    assertThat(again.activeRequests()).isEqualTo(1);
    assertThat(second.version()).isEqualTo(2);
  }

  @Test
  void enforcedKindsAreNotNoticed() {
    MeshSnapshot s = compile("""
        apiVersion: meshwork.io/v1alpha1
        kind: RateLimitPolicy
        metadata: {name: limit, namespace: shop}
        spec:
          requestsPerUnit: 100
          unit: MINUTE
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-admin, namespace: shop}
        spec:
          action: DENY
          rules: [{to: [{operation: {paths: ["/admin*"]}}]}]
        """);
    assertThat(s.notices()).isEmpty();
    assertThat(s.rateLimits().inbound()).extracting(r -> r.name()).containsExactly("limit");
  }

  @Test
  void compilingAThousandServicesIsFast() {
    List<Resource<?>> resources = thousandServices();
    MeshSnapshot s = null;
    long millis = Long.MAX_VALUE;
    for (int run = 0; run < 5; run++) {
      long start = System.nanoTime();
      s = compiler.compile(run, resources, FRONTEND);
      millis = Math.min(millis, (System.nanoTime() - start) / 1_000_000);
    }
    System.out.println("compiled 1000 services in " + millis + " ms");
    assertThat(s.clusters()).hasSize(3000);
    assertThat(cluster(s, "svc-999", "/").endpoints()).hasSize(1);
    // Typically tens of milliseconds; the bound leaves room for a loaded CI machine.
    assertThat(millis).isLessThan(1000);
  }

  /** Built from records rather than YAML: this measures the compiler, not the parser. */
  private static List<Resource<?>> thousandServices() {
    List<Resource<?>> out = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String name = "svc-" + i;
      for (String version : List.of("v1", "v2")) {
        String address = (version.equals("v1") ? "10.9." : "10.8.") + (i / 250) + "." + (i % 250 + 1);
        out.add(Resource.of(ObjectMeta.of(name + "-" + version, "shop"), new WorkloadEntry(address,
            Map.of("http", 8080), Map.of("app", name, "version", version), null, null, null, null)));
      }
      HTTPMatchRequest canary = new HTTPMatchRequest(null, null, null, null, null,
          Map.of("x-canary", StringMatch.exact("true")), null, null, null, null, null, null, null, null);
      HTTPRoute toV2 = new HTTPRoute(null, List.of(canary),
          List.of(new HTTPRouteDestination(new Destination(name, "v2", null), null, null)),
          null, null, null, null, null, null, null, null, null, null, null, null);
      HTTPRoute split = new HTTPRoute(null, List.of(), List.of(
          new HTTPRouteDestination(new Destination(name, "v1", null), 90, null),
          new HTTPRouteDestination(new Destination(name, "v2", null), 10, null)),
          null, null, null, null, null, null, null, null, null, null, null, null);
      out.add(Resource.of(ObjectMeta.of(name, "shop"),
          new VirtualService(List.of(name), List.of(), List.of(toV2, split), List.of(), List.of(), List.of())));
      out.add(Resource.of(ObjectMeta.of(name, "shop"), new DestinationRule(name, null,
          List.of(new Subset("v1", Map.of("version", "v1"), null), new Subset("v2", Map.of("version", "v2"), null)),
          List.of(), null)));
    }
    return out;
  }
}
