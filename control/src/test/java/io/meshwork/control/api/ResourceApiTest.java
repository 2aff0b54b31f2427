package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceApiTest {

    private static final String VS = "/apis/networking.istio.io/v1/namespaces/shop/virtualservices";

    @TempDir
    static Path dataDir;

    private static ControlPlane controlPlane;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0)));
        api = new ApiClient(controlPlane);
    }

    @AfterAll
    static void stop() {
        api.close();
        controlPlane.close();
    }

    @Test
    void healthAndVersion() {
        assertThat(api.get("/healthz").status()).isEqualTo(200);
        ApiClient.Answer version = api.get("/version");
        assertThat(version.status()).isEqualTo(200);
        assertThat(version.text("/component")).isEqualTo("meshwork-control-plane");
        assertThat(api.get("/apis").body().at("/groups").findValuesAsText("name"))
                .contains("networking.istio.io", "security.istio.io", "meshwork.io");
    }

    @Test
    void createReadReplaceDelete() throws Exception {
        ApiClient.Answer created = api.post(VS, Manifests.virtualService("orders", "orders"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("/metadata/namespace")).isEqualTo("shop");
        assertThat(created.body().at("/metadata/generation").asLong()).isEqualTo(1);
        String rv = created.text("/metadata/resourceVersion");
        assertThat(Long.parseLong(rv)).isEqualTo(controlPlane.store().currentRevision());

        ApiClient.Answer got = api.get(VS + "/orders");
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.text("/metadata/resourceVersion")).isEqualTo(rv);
        assertThat(got.text("/spec/hosts/0")).isEqualTo("orders");
        assertThat(got.text("/apiVersion")).isEqualTo("networking.istio.io/v1");
        // Every Istio version of a kind serves the same objects.
        assertThat(api.get("/apis/networking.istio.io/v1beta1/namespaces/shop/virtualservices/orders")
                .text("/apiVersion")).isEqualTo("networking.istio.io/v1beta1");

        ApiClient.Answer list = api.get(VS);
        assertThat(list.text("/kind")).isEqualTo("VirtualServiceList");
        assertThat(list.body().at("/items").findValuesAsText("name")).contains("orders");
        assertThat(Long.parseLong(list.text("/metadata/resourceVersion"))).isGreaterThanOrEqualTo(Long.parseLong(rv));

        ObjectNode changed = (ObjectNode) got.body().deepCopy();
        ((ObjectNode) changed.at("/spec")).putArray("hosts").add("orders.shop");
        ApiClient.Answer replaced = api.put(VS + "/orders", changed.toString());
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.text("/spec/hosts/0")).isEqualTo("orders.shop");
        assertThat(replaced.body().at("/metadata/generation").asLong()).isEqualTo(2);
        assertThat(Long.parseLong(replaced.text("/metadata/resourceVersion"))).isGreaterThan(Long.parseLong(rv));

        ApiClient.Answer deleted = api.delete(VS + "/orders");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.text("/status")).isEqualTo("Success");
        ApiClient.Answer gone = api.get(VS + "/orders");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.text("/kind")).isEqualTo("Status");
        assertThat(gone.text("/reason")).isEqualTo("NotFound");
        assertThat(api.delete(VS + "/orders").status()).isEqualTo(404);
    }

    @Test
    void staleResourceVersionIsAConflict() {
        ApiClient.Answer created = api.put(VS + "/cart", Manifests.virtualService("cart", "cart"));
        assertThat(created.status()).as("PUT creates").isEqualTo(201);
        JsonNode first = created.body();

        ObjectNode update = (ObjectNode) first.deepCopy();
        ((ObjectNode) update.at("/spec")).putArray("hosts").add("cart.shop");
        assertThat(api.put(VS + "/cart", update.toString()).status()).isEqualTo(200);

        // The same resourceVersion again is stale now.
        ApiClient.Answer conflict = api.put(VS + "/cart", update.toString());
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.text("/kind")).isEqualTo("Status");
        assertThat(conflict.text("/reason")).isEqualTo("Conflict");
        assertThat(conflict.text("/details/name")).isEqualTo("cart");
        assertThat(conflict.text("/message")).contains("the object has been modified");

        String staleRv = first.at("/metadata/resourceVersion").asText();
        assertThat(api.delete(VS + "/cart?resourceVersion=" + staleRv).status()).isEqualTo(409);
        assertThat(api.get(VS + "/cart").status()).isEqualTo(200);
    }

    @Test
    void creatingAnExistingNameIsAConflict() {
        assertThat(api.post(VS, Manifests.virtualService("dup", "dup")).status()).isEqualTo(201);
        ApiClient.Answer again = api.post(VS, Manifests.virtualService("dup", "dup"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.text("/reason")).isEqualTo("AlreadyExists");
    }

    @Test
    void invalidVirtualServiceIsRejectedWithFieldErrors() {
        String invalid = """
                {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "bad"},
                 "spec": {"hosts": ["bad"], "http": [{"route": [
                   {"destination": {"host": "bad", "subset": "v1"}, "weight": 90},
                   {"destination": {"host": "bad", "subset": "v2"}, "weight": 20}]}]}}
                """;
        ApiClient.Answer r = api.post(VS, invalid);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.text("/reason")).isEqualTo("Invalid");
        assertThat(r.text("/message")).startsWith("VirtualService.networking.istio.io \"bad\" is invalid: ");
        JsonNode causes = r.body().at("/details/causes");
        assertThat(causes.size()).isPositive();
        assertThat(causes.get(0).path("field").asText()).startsWith("spec.http[0]");
        assertThat(causes.get(0).path("message").asText()).contains("expected");
        assertThat(api.get(VS + "/bad").status()).isEqualTo(404);
    }

    @Test
    void malformedJsonIsABadRequest() {
        ApiClient.Answer r = api.post(VS, "{\"apiVersion\": \"networking.istio.io/v1\",");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text("/reason")).isEqualTo("BadRequest");
        assertThat(r.text("/message")).startsWith("body: invalid JSON at line 1");

        assertThat(api.post(VS, "[1, 2]").text("/message")).isEqualTo("body: array (expected: a JSON or YAML object)");
    }

    @Test
    void bodyContradictingTheUrlIsABadRequest() {
        ApiClient.Answer r = api.put(VS + "/one", Manifests.virtualService("other", "x"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text("/message")).isEqualTo("metadata.name: other (expected: one, the name in the URL)");
        ApiClient.Answer kind = api.post(VS, Manifests.destinationRule("dr", "x"));
        assertThat(kind.status()).isEqualTo(400);
        assertThat(kind.text("/message")).startsWith("kind: DestinationRule (expected: VirtualService");
    }

    @Test
    void acceptsTheSeedVirtualServiceAsYaml() {
        ApiClient.Answer r = api.send("POST", "/apis/networking.istio.io/v1beta1/namespaces/default/virtualservices",
                Manifests.SEED_VIRTUAL_SERVICE, "application/yaml");
        assertThat(r.status()).isEqualTo(201);
        JsonNode spec = r.body().path("spec");
        assertThat(spec.at("/http/1/route/0/weight").asInt()).isEqualTo(90);
        assertThat(spec.at("/http/1/route/1/weight").asInt()).isEqualTo(10);
        assertThat(spec.at("/http/1/retries/attempts").asInt()).isEqualTo(3);
        assertThat(spec.at("/http/1/retries/retryOn").asText()).isEqualTo("connect-failure,refused-stream,5xx");
        assertThat(spec.at("/http/0/match/0/headers/x-canary/exact").asText()).isEqualTo("true");
    }

    @Test
    void unknownPathsAndMethods() {
        assertThat(api.get("/apis/networking.istio.io/v1/namespaces/shop/widgets").status()).isEqualTo(404);
        assertThat(api.get("/apis/example.com/v1/namespaces/shop/virtualservices").status()).isEqualTo(404);
        assertThat(api.get("/apis/networking.istio.io/v9/virtualservices").status()).isEqualTo(404);
        assertThat(api.get("/nothing").status()).isEqualTo(404);

        ApiClient.Answer patch = api.send("PATCH", VS + "/x", "{}", "application/json");
        assertThat(patch.status()).isEqualTo(405);
        assertThat(patch.raw().headers().firstValue("Allow")).contains("GET, PUT, DELETE");
        assertThat(api.post("/apis/networking.istio.io/v1/virtualservices", Manifests.virtualService("a", "a"))
                .status()).as("create needs a namespace").isEqualTo(405);
    }

    @Test
    void namespacesAreAcceptedClusterScopedWithAWarning() {
        ApiClient.Answer created = api.post("/api/v1/namespaces",
                "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"my-app\","
                        + " \"labels\": {\"istio-injection\": \"enabled\"}}}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.raw().headers().allValues("Warning")).anySatisfy(w -> assertThat(w).contains("Kubernetes"));
        ApiClient.Answer got = api.get("/api/v1/namespaces/my-app");
        assertThat(got.text("/metadata/labels/istio-injection")).isEqualTo("enabled");
        assertThat(got.body().at("/metadata").has("namespace")).isFalse();
        assertThat(api.get("/api/v1/namespaces").body().at("/items").size()).isEqualTo(1);
    }

    @Test
    void listAcrossNamespaces() {
        String other = "/apis/networking.istio.io/v1/namespaces/billing/destinationrules";
        String mine = "/apis/networking.istio.io/v1/namespaces/shop/destinationrules";
        assertThat(api.post(other, Manifests.destinationRule("payments", "payments")).status()).isEqualTo(201);
        assertThat(api.post(mine, Manifests.destinationRule("orders", "orders")).status()).isEqualTo(201);
        assertThat(api.get("/apis/networking.istio.io/v1/destinationrules").body().at("/items")
                .findValuesAsText("namespace")).contains("billing", "shop");
        assertThat(api.get(mine).body().at("/items").findValuesAsText("name")).containsExactly("orders");
    }
}
