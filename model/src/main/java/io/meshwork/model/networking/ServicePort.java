package io.meshwork.model.networking;

/**
 * Istio ServicePort (also Gateway's Port).
 *
 * @param number 1..65535
 * @param protocol HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP, TLS or UDP, any case; null means TCP sniffing
 * @param name a label for the port
 * @param targetPort the endpoints' port when it differs from {@code number}, or null
 */
public record ServicePort(Integer number, String protocol, String name, Integer targetPort) {}
