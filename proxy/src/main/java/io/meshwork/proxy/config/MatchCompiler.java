package io.meshwork.proxy.config;

import io.meshwork.model.networking.HTTPMatchRequest;
import io.meshwork.model.networking.StringMatch;
import io.meshwork.proxy.route.AnyOfBlocks;
import io.meshwork.proxy.route.HeaderCondition;
import io.meshwork.proxy.route.MatchBlock;
import io.meshwork.proxy.route.QueryCondition;
import io.meshwork.proxy.route.RouteMatch;
import io.meshwork.proxy.route.StringMatcher;
import io.meshwork.proxy.route.UriCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles a route's {@code match} list. Conditions on the caller ({@code sourceNamespace},
 * {@code sourceLabels}, {@code gateways}) are decided here, once, because a sidecar's snapshot serves
 * exactly one caller: a block that cannot apply to it is dropped.
 */
final class MatchCompiler {
  /** The gateway name that stands for "all sidecars" in Istio. */
  static final String MESH_GATEWAY = "mesh";

  private final LocalService local;

  MatchCompiler(LocalService local) {
    this.local = local;
  }

  /**
   * @return the compiled match, or null when no block can apply to this sidecar (the route is skipped)
   * @throws IllegalArgumentException for an invalid regex, naming the field
   */
  RouteMatch compile(List<HTTPMatchRequest> blocks, String field) {
    if (blocks.isEmpty()) {
      return new AnyOfBlocks(List.of());
    }
    List<MatchBlock> compiled = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      HTTPMatchRequest m = blocks.get(i);
      if (appliesToCaller(m)) {
        compiled.add(block(m, field + "[" + i + "]"));
      }
    }
    return compiled.isEmpty() ? null : new AnyOfBlocks(compiled);
  }

  private boolean appliesToCaller(HTTPMatchRequest m) {
    if (!m.gateways().isEmpty() && !m.gateways().contains(MESH_GATEWAY)) {
      return false;
    }
    if (m.sourceNamespace() != null && !m.sourceNamespace().isEmpty() && !m.sourceNamespace().equals(local.namespace())) {
      return false;
    }
    // The caller's workload labels are known here only as its app label.
    return Map.of(ServiceCatalog.APP_LABEL, local.name()).entrySet().containsAll(m.sourceLabels().entrySet());
  }

  private static MatchBlock block(HTTPMatchRequest m, String field) {
    boolean ignoreUriCase = Boolean.TRUE.equals(m.ignoreUriCase());
    UriCondition uri = m.uri() == null ? null : UriCondition.of(matcher(m.uri(), field + ".uri"), ignoreUriCase);
    List<HeaderCondition> headers = new ArrayList<>();
    m.headers().forEach((name, match) ->
        headers.add(new HeaderCondition(name, matcher(match, field + ".headers." + name), false)));
    m.withoutHeaders().forEach((name, match) ->
        headers.add(new HeaderCondition(name, matcher(match, field + ".withoutHeaders." + name), true)));
    List<QueryCondition> query = new ArrayList<>();
    m.queryParams().forEach((name, match) ->
        query.add(new QueryCondition(name, matcher(match, field + ".queryParams." + name))));
    return new MatchBlock(
        m.name(),
        uri,
        m.scheme() == null ? null : matcher(m.scheme(), field + ".scheme"),
        m.method() == null ? null : matcher(m.method(), field + ".method"),
        m.authority() == null ? null : matcher(m.authority(), field + ".authority"),
        headers,
        query,
        m.port() == null ? 0 : m.port());
  }

  /** An absent value ({@code {}} in YAML) is Istio's presence check. */
  static StringMatcher matcher(StringMatch match, String field) {
    if (match == null) {
      return new StringMatcher.Present();
    }
    return switch (match) {
      case StringMatch.Exact e -> StringMatcher.exact(e.exact());
      case StringMatch.Prefix p -> StringMatcher.prefix(p.prefix());
      case StringMatch.Regex r -> {
        try {
          yield StringMatcher.regex(r.regex());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(field + "." + e.getMessage(), e);
        }
      }
    };
  }
}
