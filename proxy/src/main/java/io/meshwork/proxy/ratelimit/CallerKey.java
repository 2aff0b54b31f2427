package io.meshwork.proxy.ratelimit;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.policy.SourceIdentity;
import io.meshwork.proxy.stack.StageRequest;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;

/** What separates callers into buckets ({@code spec.per}). Keys are values already at hand where possible. */
public sealed interface CallerKey {
  /** The key of callers without the property (no identity, no such header): they share one bucket. */
  Object NONE = "";

  /** The key of this request's caller. */
  Object of(StageRequest request);

  /** One bucket for every caller. */
  record Shared() implements CallerKey {
    @Override
    public Object of(StageRequest request) {
      return NONE;
    }
  }

  /** The caller's SPIFFE identity from its mTLS certificate. */
  record Principal() implements CallerKey {
    @Override
    public Object of(StageRequest request) {
      Optional<SpiffeId> id = SourceIdentity.of(request.channel());
      return id.isPresent() ? id.get() : NONE;
    }
  }

  /** The namespace of the caller's SPIFFE identity ({@code /ns/<namespace>/sa/...}). */
  record Namespace() implements CallerKey {
    @Override
    public Object of(StageRequest request) {
      Optional<SpiffeId> id = SourceIdentity.of(request.channel());
      if (id.isEmpty()) {
        return NONE;
      }
      String path = id.get().path();
      if (!path.startsWith("/ns/")) {
        return NONE;
      }
      int end = path.indexOf('/', 4);
      return end < 0 ? path.substring(4) : path.substring(4, end);
    }
  }

  /** The caller's IP address (of the connection; an HTTP/2 stream's parent). */
  record Ip() implements CallerKey {
    @Override
    public Object of(StageRequest request) {
      Channel ch = request.channel();
      if (ch instanceof Http2StreamChannel && ch.parent() != null) {
        ch = ch.parent();
      }
      SocketAddress a = ch.remoteAddress();
      return a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress() : NONE;
    }
  }

  /** A request header's value; requests without it share one bucket. */
  record Header(String name) implements CallerKey {
    @Override
    public Object of(StageRequest request) {
      String v = request.head().headers().get(name);
      return v == null ? NONE : v;
    }
  }
}
