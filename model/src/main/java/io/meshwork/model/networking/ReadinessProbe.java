package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * Istio ReadinessProbe of a WorkloadGroup: at most one of {@code httpGet}, {@code tcpSocket}, {@code exec}.
 * Times are whole seconds, as in Istio.
 */
public record ReadinessProbe(
    Integer initialDelaySeconds,
    Integer timeoutSeconds,
    Integer periodSeconds,
    Integer successThreshold,
    Integer failureThreshold,
    HttpGet httpGet,
    TcpSocket tcpSocket,
    Exec exec) {

  public record HttpGet(String path, Integer port, String host, String scheme, List<Header> httpHeaders) {
    public HttpGet {
      httpHeaders = Copies.list(httpHeaders);
    }
  }

  public record Header(String name, String value) {}

  public record TcpSocket(String host, Integer port) {}

  public record Exec(List<String> command) {
    public Exec {
      command = Copies.list(command);
    }
  }
}
