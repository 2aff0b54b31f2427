package io.meshwork.proxy.forward;

import io.meshwork.proxy.route.RouteAction;

/** Builds the Location of an Istio HTTPRedirect from the parts it replaces. */
public final class Redirects {
  private Redirects() {}

  /**
   * @param authority the request's authority (host[:port])
   * @param path the request path without query
   * @param query the request query, or null
   */
  public static String location(RouteAction.Redirect redirect, String scheme, String authority, String path, String query) {
    String newScheme = redirect.scheme() != null && !redirect.scheme().isEmpty() ? redirect.scheme() : scheme;
    String newAuthority = redirect.authority() != null && !redirect.authority().isEmpty() ? redirect.authority() : authority;
    if (redirect.port() > 0) {
      String host = newAuthority.startsWith("[")
          ? newAuthority.substring(0, newAuthority.indexOf(']') + 1)
          : (newAuthority.lastIndexOf(':') >= 0 ? newAuthority.substring(0, newAuthority.lastIndexOf(':')) : newAuthority);
      newAuthority = host + ":" + redirect.port();
    }
    String newPath = redirect.uri() != null && !redirect.uri().isEmpty() ? redirect.uri() : path;
    StringBuilder b = new StringBuilder(newScheme.length() + newAuthority.length() + newPath.length() + 16)
        .append(newScheme).append("://").append(newAuthority).append(newPath);
    // The original query survives unless the replacement path brings its own (Envoy path_redirect).
    if (query != null && newPath.indexOf('?') < 0) {
      b.append('?').append(query);
    }
    return b.toString();
  }
}
