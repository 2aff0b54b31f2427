package io.meshwork.proxy.forward;

/**
 * Where a request is going, as derived by a port's way in.
 *
 * @param host the service host, lower case, without port
 * @param port the port the caller named, or 0
 * @param authority the Host sent upstream unless a route rewrites it; null keeps the request's own
 * @param path the path without query, starting with "/"
 * @param query the query without "?", or null
 */
public record Target(String host, int port, String authority, String path, String query) {}
