package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ApplyApiTest {

    private static final String APPLY = "/apis/meshwork.io/v1alpha1/apply";

    @TempDir
    Path dataDir;

    private ControlPlane controlPlane;
    private ApiClient api;

    @BeforeEach
    void start() {
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0)));
        api = new ApiClient(controlPlane);
    }

    @AfterEach
    void stop() {
        api.close();
        controlPlane.close();
    }

    private static String seed() throws IOException {
        try (InputStream in = ApplyApiTest.class.getResourceAsStream("/seed-004.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theSeedAppliesUnchangedAsOneRevision() throws Exception {
        long before = controlPlane.store().currentRevision();
        try (ApiClient.WatchLines w = api.watch("/apis/meshwork.io/v1alpha1/snapshot?watch=true&resourceVersion="
                + before)) {
            ApiClient.Answer r = api.send("POST", APPLY, seed(), "application/yaml");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text("/kind")).isEqualTo("ApplyResult");
            assertThat(r.body().at("/items").findValuesAsText("kind")).containsExactly("IstioOperator", "Namespace",
                    "VirtualService", "DestinationRule", "AuthorizationPolicy", "PeerAuthentication");
            assertThat(r.body().at("/items").findValuesAsText("action")).containsOnly("created");
            assertThat(r.body().at("/warnings").toString()).contains("Namespace", "IstioOperator");
            long revision = Long.parseLong(r.text("/metadata/resourceVersion"));
            assertThat(revision).isEqualTo(before + 1);

            List<JsonNode> events = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                events.add(w.nextChange());
            }
            assertThat(events).allSatisfy(e -> {
                assertThat(e.path("type").asText()).isEqualTo("ADDED");
                assertThat(e.at("/object/metadata/resourceVersion").asLong()).isEqualTo(revision);
            });
        }
        JsonNode vs = api.get("/apis/networking.istio.io/v1/namespaces/default/virtualservices/product-service").body();
        assertThat(vs.at("/spec/http/1/route/0/weight").asInt()).isEqualTo(90);
        JsonNode pa = api.get("/apis/security.istio.io/v1/namespaces/my-app/peerauthentications/default").body();
        assertThat(pa.at("/spec/mtls/mode").asText()).isEqualTo("STRICT");

        ApiClient.Answer again = api.send("POST", APPLY, seed(), "application/yaml");
        assertThat(again.body().at("/items").findValuesAsText("action")).containsOnly("unchanged");
        assertThat(controlPlane.store().currentRevision()).isEqualTo(before + 1);
    }

    @Test
    void oneBadDocumentRejectsTheWholeSource() {
        String source = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata:
                  name: fine
                spec:
                  host: fine
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: broken
                spec:
                  hosts: [broken]
                  http:
                    - route:
                        - destination: {host: broken}
                          weight: abc
                """;
        long before = controlPlane.store().currentRevision();
        ApiClient.Answer r = api.send("POST", APPLY, source, "application/yaml");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.text("/message")).startsWith("nothing applied: ");
        JsonNode cause = r.body().at("/details/causes/0");
        assertThat(cause.path("field").asText()).isEqualTo("spec.http[0].route[0].weight");
        assertThat(cause.path("message").asText()).startsWith("request.yaml:17:");
        assertThat(controlPlane.store().currentRevision()).isEqualTo(before);
    }

    @Test
    void anObjectGivenTwiceKeepsTheLaterWithAWarning() {
        String twice = Manifests.destinationRule("d", "first") + Manifests.destinationRule("d", "second");
        ApiClient.Answer r = api.post(APPLY, twice);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().at("/items").size()).isEqualTo(1);
        assertThat(r.body().at("/warnings/0").asText()).contains("DestinationRule/default/d appears twice");
        assertThat(api.get("/apis/networking.istio.io/v1/namespaces/default/destinationrules/d").text("/spec/host"))
                .isEqualTo("second");
    }

    @Test
    void aDryRunAnswersWhatWouldChangeAndWritesNothing() throws Exception {
        long before = controlPlane.store().currentRevision();

        ApiClient.Answer dry = api.send("POST", APPLY + "?dryRun=All", seed(), "application/yaml");

        assertThat(dry.status()).isEqualTo(200);
        assertThat(dry.body().path("dryRun").asBoolean()).isTrue();
        assertThat(dry.body().at("/items").findValuesAsText("action")).containsOnly("created");
        assertThat(controlPlane.store().currentRevision()).isEqualTo(before);
        assertThat(api.get("/apis/networking.istio.io/v1/namespaces/default/virtualservices/product-service")
                .status()).isEqualTo(404);

        assertThat(api.send("POST", APPLY + "?dryRun=Some", seed(), "application/yaml").text("/message"))
                .isEqualTo("dryRun: Some (expected: All, or no dryRun parameter)");
    }

    @Test
    void syntaxErrorsInABodyAreToldWithoutParserInternals() {
        ApiClient.Answer r = api.send("POST", APPLY, "{\"kind\": \"VirtualService\", // note\n}", "application/json");

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.body().toString()).contains("request.json:1:28: error: invalid JSON: unexpected '/'"
                + " (comments are not allowed in JSON; use YAML for comments)")
                .doesNotContain("Feature").doesNotContain("ALLOW_COMMENTS");
        ApiClient.Answer put = api.send("PUT", "/apis/networking.istio.io/v1/namespaces/default/virtualservices/a",
                "{\"kind\": \"VirtualService\", // note\n}", "application/json");
        assertThat(put.status()).isEqualTo(400);
        assertThat(put.text("/message")).isEqualTo("body: invalid JSON at line 1, column 28: unexpected '/'"
                + " (comments are not allowed in JSON; use YAML for comments)");
    }
}
