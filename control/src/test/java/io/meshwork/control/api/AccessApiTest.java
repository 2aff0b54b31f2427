package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may call what: the admin token for writes, any proven caller for reads, workloads for themselves. */
class AccessApiTest {

    private static final String VS = "/apis/networking.istio.io/v1/namespaces/shop/virtualservices";
    private static final String REGISTRATIONS = "/apis/meshwork.io/v1alpha1/namespaces/shop/registrations";

    @TempDir
    Path dataDir;

    private ControlPlane controlPlane;
    private ApiClient admin;

    @BeforeEach
    void start() {
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0)));
        admin = new ApiClient(controlPlane);
    }

    @AfterEach
    void stop() {
        admin.close();
        controlPlane.close();
    }

    @Test
    void writesNeedTheAdminToken() {
        ApiClient.Answer missing = admin.withToken(null).post(VS, Manifests.virtualService("orders", "orders"));
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.text("/reason")).isEqualTo("Unauthorized");
        // An anonymous caller learns where to look, not where the server keeps its files.
        assertThat(missing.text("/message")).contains("<data-dir>/admin-token").contains("MESHWORK_ADMIN_TOKEN");
        assertThat(missing.raw().body()).doesNotContain(dataDir.toString());

        ApiClient.Answer wrong = admin.withToken("mwat1.not-the-token").post(VS,
                Manifests.virtualService("orders", "orders"));
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.text("/message")).contains("admin-token");

        ApiClient workload = admin.withToken(controlPlane.joinToken("orders", "shop", Duration.ofHours(1)));
        assertThat(workload.post(VS, Manifests.virtualService("orders", "orders")).status()).isEqualTo(403);
        assertThat(workload.send("POST", "/apis/meshwork.io/v1alpha1/apply", "{}", "application/json").status())
                .isEqualTo(403);
        assertThat(workload.post("/apis/meshwork.io/v1alpha1/tokens", "{\"service\": \"cart\"}").status())
                .isEqualTo(403);

        assertThat(admin.post(VS, Manifests.virtualService("orders", "orders")).status()).isEqualTo(201);
        assertThat(admin.withToken(null).delete(VS + "/orders").status()).isEqualTo(401);
        assertThat(admin.delete(VS + "/orders").status()).isEqualTo(200);
    }

    @Test
    void readsNeedAProvenCallerAndPublicEndpointsNone() throws Exception {
        admin.post(VS, Manifests.virtualService("orders", "orders"));
        ApiClient anonymous = admin.withToken(null);
        assertThat(anonymous.get(VS).status()).isEqualTo(401);
        assertThat(anonymous.get("/apis/meshwork.io/v1alpha1/snapshot?watch=true").status()).isEqualTo(401);
        assertThat(admin.withToken("mwjt1.forged.token").get(VS).status()).isEqualTo(401);
        ApiClient.Answer basic = admin.withToken(null).send("GET", VS, null, null);
        assertThat(basic.status()).isEqualTo(401);

        ApiClient workload = admin.withToken(controlPlane.joinToken("orders", "shop", Duration.ofHours(1)));
        assertThat(workload.get(VS + "/orders").status()).isEqualTo(200);
        try (ApiClient.WatchLines w = workload.watch("/apis/meshwork.io/v1alpha1/snapshot?watch=true")) {
            assertThat(w.status).isEqualTo(200);
            assertThat(w.nextChange().at("/object/metadata/name").asText()).isEqualTo("orders");
        }
        assertThat(admin.get(VS).status()).isEqualTo(200);

        assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
        assertThat(anonymous.get("/version").status()).isEqualTo(200);
        assertThat(anonymous.get("/apis/meshwork.io/v1alpha1/trustbundle").status()).isEqualTo(200);
    }

    @Test
    void aWorkloadRegistersOnlyItselfInItsOwnNamespace() {
        ApiClient orders = admin.withToken(controlPlane.joinToken("orders", "shop", Duration.ofHours(1)));
        String body = "{\"service\": \"orders\", \"address\": \"10.0.0.7\", \"port\": 8080}";
        ApiClient.Answer registered = orders.post(REGISTRATIONS, body);
        assertThat(registered.status()).isEqualTo(200);
        String name = registered.text("/name");
        assertThat(orders.put(REGISTRATIONS + "/" + name + "/keepalive", "").status()).isEqualTo(200);

        assertThat(orders.post(REGISTRATIONS, body.replace("\"orders\"", "\"cart\"")).status()).isEqualTo(403);
        assertThat(orders.post("/apis/meshwork.io/v1alpha1/namespaces/other/registrations", body).status())
                .isEqualTo(403);
        ApiClient cart = admin.withToken(controlPlane.joinToken("cart", "shop", Duration.ofHours(1)));
        assertThat(cart.delete(REGISTRATIONS + "/" + name).status()).isEqualTo(403);
        assertThat(admin.withToken(null).post(REGISTRATIONS, body).status()).isEqualTo(401);

        assertThat(orders.delete(REGISTRATIONS + "/" + name).status()).isEqualTo(200);
        // Gone (or lapsed): the workload learns it must register again, rather than being refused.
        assertThat(orders.put(REGISTRATIONS + "/" + name + "/keepalive", "").status()).isEqualTo(404);
        assertThat(admin.post(REGISTRATIONS, body.replace("\"orders\"", "\"cart\"")).status()).isEqualTo(200);
    }

    @Test
    void tokenRequestsAreValidated() {
        String tokens = "/apis/meshwork.io/v1alpha1/tokens";
        assertThat(admin.post(tokens, "{}").text("/message")).isEqualTo(
                "service: missing (expected: a non-empty string)");
        assertThat(admin.post(tokens, "{\"service\": \"Orders!\"}").text("/message")).isEqualTo(
                "service: Orders! (expected: a DNS-1123 label such as orders)");
        assertThat(admin.post(tokens, "{\"service\": \"orders\", \"ttl\": \"soon\"}").status()).isEqualTo(400);
        assertThat(admin.post(tokens, "{\"service\": \"orders\", \"ttl\": \"9000h\"}").status()).isEqualTo(400);
        assertThat(admin.put(tokens, "{}").status()).isEqualTo(405);
        assertThat(admin.get(tokens).status()).as("the listing").isEqualTo(200);
    }

    @Test
    void theAdminTokenFileIsTheOwnersAndTheStoreKeepsOnlyItsHash() throws Exception {
        Path file = controlPlane.adminTokenFile();
        String token = Files.readString(file).strip();
        assertThat(token).startsWith("mwat1.").hasSizeGreaterThan(40);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        var everything = controlPlane.store().range("/");
        assertThat(everything.kvs()).noneMatch(kv -> kv.valueAsString().contains(token.substring(6)));
    }
}
