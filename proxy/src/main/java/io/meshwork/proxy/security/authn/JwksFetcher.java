package io.meshwork.proxy.security.authn;

import java.io.IOException;
import java.net.URI;

/**
 * Fetches a document (a JWKS, or an OpenID discovery document) over HTTP(S). Supplied by the
 * network layer, which must not run it on an event loop; tests supply keys from memory.
 */
@FunctionalInterface
public interface JwksFetcher {
  /** The response body of a successful GET of {@code uri}. */
  String fetch(URI uri) throws IOException;
}
