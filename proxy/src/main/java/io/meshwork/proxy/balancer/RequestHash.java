package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.HashPolicy;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * The request keys Istio's consistentHash can hash on: one header, one cookie, the source IP or one
 * query parameter. A request without the key is balanced as if unhashed ({@link HashPolicy#NO_HASH}).
 * Keys are hashed with XXH64, so the mapping is the same in every process.
 */
public sealed interface RequestHash extends HashPolicy {

  /** A short description for the admin API, e.g. {@code header:x-user}. */
  String describe();

  /** Istio consistentHash.httpHeaderName. Header names are case-insensitive (RFC 9110 §5.1). */
  record Header(String name) implements RequestHash {
    public Header {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("httpHeaderName: " + name + " (expected: a header name)");
      }
      name = name.toLowerCase(Locale.ROOT);
    }

    @Override
    public long hash(HttpRequest request, InetSocketAddress remote) {
      String value = name.equals(":authority") ? request.headers().get(HttpHeaderNames.HOST)
          : name.equals(":path") ? request.uri()
          : name.equals(":method") ? request.method().name()
          : request.headers().get(name);
      return value == null ? NO_HASH : RequestHash.of(value);
    }

    @Override
    public String describe() {
      return "header:" + name;
    }
  }

  /** Istio consistentHash.httpCookie (by name; cookie generation for a ttl is not done here). */
  record Cookie(String name) implements RequestHash {
    public Cookie {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("httpCookie.name: " + name + " (expected: a cookie name)");
      }
    }

    @Override
    public long hash(HttpRequest request, InetSocketAddress remote) {
      // HTTP/2 may split cookies over several header fields (RFC 9113 §8.2.3); look at each.
      List<String> headers = request.headers().getAll(HttpHeaderNames.COOKIE);
      for (String header : headers) {
        for (io.netty.handler.codec.http.cookie.Cookie c : ServerCookieDecoder.LAX.decode(header)) {
          if (c.name().equals(name)) {
            return RequestHash.of(c.value());
          }
        }
      }
      return NO_HASH;
    }

    @Override
    public String describe() {
      return "cookie:" + name;
    }
  }

  /** Istio consistentHash.useSourceIp: the downstream peer's address. */
  record SourceIp() implements RequestHash {
    @Override
    public long hash(HttpRequest request, InetSocketAddress remote) {
      if (remote == null || remote.getAddress() == null) {
        return NO_HASH;
      }
      return stable(XxHash64.hash(remote.getAddress().getAddress(), 0));
    }

    @Override
    public String describe() {
      return "source-ip";
    }
  }

  /** Istio consistentHash.httpQueryParameterName: the first value of the parameter. */
  record QueryParameter(String name) implements RequestHash {
    public QueryParameter {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("httpQueryParameterName: " + name + " (expected: a parameter name)");
      }
    }

    @Override
    public long hash(HttpRequest request, InetSocketAddress remote) {
      String uri = request.uri();
      if (uri.indexOf('?') < 0) {
        return NO_HASH;
      }
      List<String> values = new QueryStringDecoder(uri).parameters().get(name);
      return values == null || values.isEmpty() ? NO_HASH : RequestHash.of(values.get(0));
    }

    @Override
    public String describe() {
      return "query:" + name;
    }
  }

  /** The key's hash; never {@link HashPolicy#NO_HASH}, which is reserved for "no key". */
  static long of(String key) {
    return stable(XxHash64.hash(key));
  }

  private static long stable(long hash) {
    return hash == NO_HASH ? hash + 1 : hash;
  }
}
