package io.meshwork.proxy.route;

import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;

/**
 * One entry of Istio's {@code headers} (or, inverted, {@code withoutHeaders}) map. Header names are
 * case-insensitive (RFC 9110 §5.1); the pseudo-headers {@code :authority}, {@code :method},
 * {@code :path} and {@code :scheme} read the request line and Host. A missing header never matches,
 * so an inverted condition on a missing header holds.
 *
 * @param name the header name, lower case
 * @param matcher the value condition; {@link StringMatcher.Present} for {@code {}}
 * @param inverted true for {@code withoutHeaders}
 */
public record HeaderCondition(String name, StringMatcher matcher, boolean inverted) {
  public HeaderCondition {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("headers: " + name + " (expected: a header name)");
    }
    name = name.toLowerCase(Locale.ROOT);
  }

  public boolean test(HttpRequest request) {
    String value = RequestHead.header(request, name);
    boolean matched = value != null && matcher.matches(value);
    return matched != inverted;
  }
}
