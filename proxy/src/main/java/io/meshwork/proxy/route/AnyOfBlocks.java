package io.meshwork.proxy.route;

import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * A route's match list: the request matches when any block matches (Istio ORs the entries of
 * {@code match}); the first matching block decides the matched uri part. No blocks means every request.
 */
public record AnyOfBlocks(List<MatchBlock> blocks) implements RouteMatch {
  public AnyOfBlocks {
    blocks = blocks.isEmpty() ? List.of(MatchBlock.ANY) : List.copyOf(blocks);
  }

  public static AnyOfBlocks of(MatchBlock... blocks) {
    return new AnyOfBlocks(List.of(blocks));
  }

  @Override
  public String match(HttpRequest request, String path) {
    for (int i = 0; i < blocks.size(); i++) {
      String matched = blocks.get(i).match(request, path);
      if (matched != null) {
        return matched;
      }
    }
    return null;
  }
}
