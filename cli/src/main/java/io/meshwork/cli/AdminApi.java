package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;

/**
 * One call to the control plane's admin API (tokens, identities, the admin token), with every failure turned into
 * the one line a user sees.
 */
final class AdminApi {
  static final String BASE = "/apis/meshwork.io/v1alpha1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final AdminCredential credential;

  AdminApi(URI base, AdminCredential credential) {
    this.base = base;
    this.credential = credential;
  }

  /** The answer's JSON for a 2xx; a {@link UserError} with the control plane's message otherwise. */
  JsonNode call(String method, String path, JsonNode body) {
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5));
    if ("https".equals(base.getScheme())) {
      builder.sslContext(credential.sslContext());
    }
    HttpRequest request = credential.authorize(HttpRequest.newBuilder(base.resolve(BASE + path)))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
    try (HttpClient http = builder.build()) {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode json = parse(response.body());
      String message = json.path("message").asText(response.body().strip());
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return json;
      }
      if (status == 401 || (status == 403 && message.contains("admin token"))) {
        throw new UserError("the control plane refused the admin token from " + credential.tokenSource() + ": "
            + message);
      }
      throw new UserError(status == 400 || status == 404 ? message
          : "the control plane answered " + status + ": " + message);
    } catch (SSLHandshakeException e) {
      throw new UserError("cannot verify the control plane at " + base + " (" + e.getMessage() + "); set "
          + AdminCredential.CA_FILE_ENV + " or --data-dir so its ca.pem is trusted", e);
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new UserError("cannot reach the control plane at " + base
          + " (start one with 'meshwork control-plane')", e);
    } catch (IOException e) {
      throw new UserError("talking to the control plane at " + base + " failed (" + e.getMessage() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("interrupted", e);
    }
  }

  private static JsonNode parse(String body) {
    if (body.isBlank()) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return JSON.missingNode();
    }
  }
}
