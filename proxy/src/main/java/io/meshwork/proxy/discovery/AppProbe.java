package io.meshwork.proxy.discovery;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Tells whether the local app answers; called about once a second from the registration's thread. */
@FunctionalInterface
public interface AppProbe {
  Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

  boolean isUp();

  /** Up when a TCP connection to {@code target} opens within {@code timeout}; cheap and protocol-agnostic. */
  static AppProbe tcp(InetSocketAddress target, Duration timeout) {
    int millis = (int) Math.max(1, timeout.toMillis());
    return () -> {
      try (Socket s = new Socket()) {
        s.connect(target, millis);
        return true;
      } catch (IOException e) {
        return false;
      }
    };
  }

  /**
   * Up when {@code GET target} answers with any status below 500 within {@code timeout}: a 404 still proves the app
   * serves, while a 5xx means it cannot.
   */
  static AppProbe http(URI target, Duration timeout) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    HttpRequest request = HttpRequest.newBuilder(target).timeout(timeout).GET().build();
    return () -> {
      try {
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() < 500;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    };
  }

  /** For a sidecar without a local app to watch: always up. */
  static AppProbe always() {
    return () -> true;
  }
}
