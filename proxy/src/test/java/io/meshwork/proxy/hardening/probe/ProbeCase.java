package io.meshwork.proxy.hardening.probe;

import java.util.Map;

/**
 * One row of {@code http1-probe-cases.txt}: exact request bytes and the answer Meshwork gives on
 * each port type.
 *
 * @param id the case's name (Http11Probe's id where it has one, {@code MESH-*} for ours)
 * @param rfc the section the expectation comes from
 * @param expected the answer on every port unless {@code byPort} says otherwise: a status code,
 *     {@code close} (closed without a response), {@code timeout} (no answer, still open) or
 *     {@code non-http} (bytes that are no HTTP/1 response)
 * @param byPort answers that differ on one port, by {@link PortKind}
 * @param note why, when the answer needs explaining
 * @param request the bytes sent (ISO-8859-1)
 */
public record ProbeCase(String id, String rfc, String expected, Map<PortKind, String> byPort, String note, byte[] request) {
  public ProbeCase {
    byPort = Map.copyOf(byPort);
  }

  /** The three kinds of port a sidecar serves HTTP/1 on. */
  public enum PortKind {
    /** The outbound HTTP proxy port: Host, absolute-form or dapr-app-id name the service. */
    PROXY,
    /** An {@code --upstream NAME=PORT} port: every request goes to NAME. */
    UPSTREAM,
    /** The inbound port (plaintext): every request goes to the local application. */
    INBOUND
  }

  public String expected(PortKind port) {
    return byPort.getOrDefault(port, expected);
  }

  /** Whether the case's answer is a response the backend produced (2xx): the request got through. */
  public boolean forwarded(PortKind port) {
    return expected(port).startsWith("2");
  }

  /** The expectation as written in the case file, e.g. {@code 200 proxy=400}. */
  public String expectation() {
    StringBuilder out = new StringBuilder(expected);
    for (PortKind kind : PortKind.values()) {
      if (byPort.containsKey(kind)) {
        out.append(' ').append(kind.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(byPort.get(kind));
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return id;
  }
}
