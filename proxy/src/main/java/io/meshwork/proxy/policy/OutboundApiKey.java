package io.meshwork.proxy.policy;

import io.meshwork.proxy.forward.TargetResolver;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;

/**
 * Presents the sidecar's API key on the requests its app sends through an outbound port, in
 * Otoroshi's headers. A request that already carries a client id keeps its own key: the app
 * may call with another identity on purpose.
 */
public final class OutboundApiKey {
  private OutboundApiKey() {}

  /** {@code wayIn} adding {@code key} to each request it resolves; {@code wayIn} itself when key is null. */
  public static TargetResolver decorate(TargetResolver wayIn, ApiKeyCredentials key) {
    if (key == null) {
      return wayIn;
    }
    return new TargetResolver() {
      @Override
      public Resolution resolve(HttpRequest request) {
        present(request, key);
        return wayIn.resolve(request);
      }

      @Override
      public Resolution resolve(HttpRequest request, InetSocketAddress remote) {
        present(request, key);
        return wayIn.resolve(request, remote);
      }
    };
  }

  static void present(HttpRequest request, ApiKeyCredentials key) {
    if (!request.headers().contains(ApiKeyRequirement.CLIENT_ID_HEADER)) {
      request.headers().set(ApiKeyRequirement.CLIENT_ID_HEADER, key.clientId());
      request.headers().set(ApiKeyRequirement.CLIENT_SECRET_HEADER, key.secret());
    }
  }
}
