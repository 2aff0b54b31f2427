package io.meshwork.proxy.http;

/**
 * What the proxy does with a request header whose name holds an underscore. Such names are valid
 * tokens (RFC 9110 §5.1), but CGI-style gateways (PHP, WSGI, Rack, nginx's variables) read
 * {@code X_Forwarded_For} and {@code X-Forwarded-For} as the same variable, and some origins map
 * {@code _} to {@code -}: a header the proxy strips or sets can be spoofed, and
 * {@code Transfer_Encoding} next to Content-Length frames a request differently behind the proxy.
 * nginx ignores such headers by default; Envoy's {@code headers_with_underscores_action} offers
 * ALLOW (its default), DROP_HEADER and REJECT_REQUEST.
 *
 * <p>Whatever the choice, a name that reads as a framing header once {@code _} becomes {@code -}
 * ({@code Transfer_Encoding}, {@code Content_Length}) is refused with 400: no legitimate client
 * sends one.
 */
public enum UnderscoreHeaders {
  /** Forward them unchanged. */
  ALLOW,
  /** Remove them before the request is routed or forwarded (the default). */
  DROP,
  /** Refuse the request with 400. */
  REJECT
}
