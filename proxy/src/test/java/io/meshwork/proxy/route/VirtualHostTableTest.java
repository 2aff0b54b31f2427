package io.meshwork.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.balancer.BalancerPolicy;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.retry.RetryPolicy;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VirtualHostTableTest {

  private static Cluster cluster(String name) {
    return new Cluster(name, name, "", List.of(), BalancerPolicy.DEFAULT.newBalancer(List.of()), HashPolicy.NONE,
        UpstreamProtocol.USE_DOWNSTREAM, ConnectionPoolSettings.DEFAULT);
  }

  private static Route forward(String name, RouteMatch match, Cluster... clusters) {
    List<RouteAction.WeightedCluster> dests = java.util.Arrays.stream(clusters)
        .map(c -> new RouteAction.WeightedCluster(c, 1, HeaderOps.NONE, HeaderOps.NONE)).toList();
    return new Route(name, match,
        new RouteAction.Forward(dests, Duration.ZERO, RetryPolicy.NONE, null, null, HeaderOps.NONE, HeaderOps.NONE));
  }

  private static VirtualHost host(String name, String... domains) {
    return new VirtualHost(name, List.of(domains), List.of(forward(name, RouteMatch.ANY, cluster(name))));
  }

  private static final HttpRequest GET = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");

  private static String clusterFor(RouteTable table, String host) {
    return switch (table.route(GET, host, 0, "/x", 0.5)) {
      case RouteDecision.Matched m -> m.cluster().name();
      case RouteDecision.UnknownHost u -> "unknown:" + u.host();
      case RouteDecision.NoRouteMatched n -> "nomatch:" + n.host();
    };
  }

  @Test
  void exactThenLongestWildcardThenCatchAll() {
    VirtualHostTable table = new VirtualHostTable(List.of(
        host("exact", "api.example.com"),
        host("wide", "*.example.com"),
        host("narrow", "*.eu.example.com"),
        host("any", "*")));
    assertThat(clusterFor(table, "api.example.com")).isEqualTo("exact");
    assertThat(clusterFor(table, "web.example.com")).isEqualTo("wide");
    assertThat(clusterFor(table, "a.b.example.com")).isEqualTo("wide");
    assertThat(clusterFor(table, "web.eu.example.com")).isEqualTo("narrow");
    assertThat(clusterFor(table, "example.com")).isEqualTo("any");
    assertThat(clusterFor(table, "other.org")).isEqualTo("any");
  }

  @Test
  void unknownHostWithoutCatchAll() {
    VirtualHostTable table = new VirtualHostTable(List.of(host("a", "a")));
    assertThat(clusterFor(table, "b")).isEqualTo("unknown:b");
    assertThat(clusterFor(VirtualHostTable.empty(), "a")).isEqualTo("unknown:a");
  }

  @Test
  void firstMatchingRouteWinsAndNoMatchIsReported() {
    RouteMatch api = AnyOfBlocks.of(new MatchBlock("", UriCondition.of(StringMatcher.prefix("/api"), false),
        null, null, null, List.of(), List.of(), 0));
    VirtualHostTable table = new VirtualHostTable(List.of(new VirtualHost("svc", List.of("svc"),
        List.of(forward("api", api, cluster("api")), forward("api-shadowed", api, cluster("never"))))));
    RouteDecision d = table.route(GET, "svc", 0, "/api/orders", 0.1);
    assertThat(d).isInstanceOfSatisfying(RouteDecision.Matched.class, m -> {
      assertThat(m.route().name()).isEqualTo("api");
      assertThat(m.matchedPrefix()).isEqualTo("/api");
      assertThat(m.destination().cluster()).isSameAs(m.cluster());
    });
    assertThat(table.route(GET, "svc", 0, "/other", 0.1)).isEqualTo(new RouteDecision.NoRouteMatched("svc"));
  }

  @Test
  void nonForwardActionsCarryNoCluster() {
    Route redirect = new Route("r", RouteMatch.ANY, new RouteAction.Redirect("/new", null, null, 0, 301));
    VirtualHostTable table = new VirtualHostTable(List.of(new VirtualHost("svc", List.of("svc"), List.of(redirect))));
    assertThat(table.route(GET, "svc", 0, "/", 0.3)).isEqualTo(new RouteDecision.Matched(redirect, null, null, "/"));
  }

  @Test
  void weightedDestinationsFollowTheRandomValue() {
    Cluster v1 = cluster("v1");
    Cluster v2 = cluster("v2");
    List<RouteAction.WeightedCluster> dests = List.of(
        new RouteAction.WeightedCluster(v1, 90, HeaderOps.NONE, HeaderOps.NONE),
        new RouteAction.WeightedCluster(v2, 10, HeaderOps.NONE, HeaderOps.NONE));
    assertThat(VirtualHostTable.choose(dests, 0.0).cluster()).isSameAs(v1);
    assertThat(VirtualHostTable.choose(dests, 0.8999).cluster()).isSameAs(v1);
    assertThat(VirtualHostTable.choose(dests, 0.9).cluster()).isSameAs(v2);
    assertThat(VirtualHostTable.choose(dests, 0.99999).cluster()).isSameAs(v2);
    Random random = new Random(7);
    int toV2 = 0;
    for (int i = 0; i < 10_000; i++) {
      if (VirtualHostTable.choose(dests, random.nextDouble()).cluster() == v2) {
        toV2++;
      }
    }
    assertThat(toV2).isBetween(850, 1150);
  }

  @Test
  void duplicateDomainsAcrossHostsAreRejected() {
    assertThatThrownBy(() -> new VirtualHostTable(List.of(host("a", "x"), host("b", "x"))))
        .hasMessage("domains: x (expected: unique across virtual hosts; also in a)");
    assertThatThrownBy(() -> new VirtualHost("bad", List.of("a.*.com"), List.of()))
        .hasMessage("domains: a.*.com (expected: a host name, *.suffix or *)");
  }
}
