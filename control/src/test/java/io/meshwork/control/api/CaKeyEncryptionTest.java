package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.control.ca.TestCsrs;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a passphrase, the CA's keys are encrypted in the store: neither the database nor its WAL holds them. */
class CaKeyEncryptionTest {

    private static final String BASE = "/apis/meshwork.io/v1alpha1";

    @TempDir
    Path tmp;

    private Path passphrase(String name, String text) throws Exception {
        Path file = Files.writeString(tmp.resolve(name), text,
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private ControlPlaneSettings settings(Path dataDir) {
        return new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0));
    }

    @Test
    void theKeysAreSealedAtRestAndTheCaWorksAcrossARestartWithThePassphrase() throws Exception {
        Path dataDir = tmp.resolve("cp");
        Path secret = passphrase("passphrase", "correct horse battery staple\n");
        String bundle;
        String join;
        try (ControlPlane cp = ControlPlane.start(settings(dataDir).withCaKeyPassphraseFile(secret));
                ApiClient api = new ApiClient(cp)) {
            bundle = Files.readString(cp.trustBundleFile());
            join = api.post(BASE + "/tokens", "{\"service\": \"orders\"}").text("/token");
            assertThat(api.post(BASE + "/ca/rotate", "{}").status()).as("a staged root is sealed too").isEqualTo(200);
            for (String key : new String[] {"root-key.pem", "staged-root-key.pem", "join-token-hmac.key"}) {
                assertThat(cp.store().get("/meshwork/ca/" + key).orElseThrow().valueAsString())
                        .as(key).startsWith("mwsealed1.");
            }
            // The store and its WAL, byte for byte: no key in the clear anywhere.
            String onDisk = new String(Files.readAllBytes(dataDir.resolve("meshwork.db")), StandardCharsets.ISO_8859_1)
                    + new String(Files.readAllBytes(dataDir.resolve("meshwork.db-wal")), StandardCharsets.ISO_8859_1);
            assertThat(onDisk).doesNotContain("PRIVATE KEY").contains("mwsealed1.");
        }
        try (ControlPlane cp = ControlPlane.start(settings(dataDir).withCaKeyPassphraseFile(secret));
                ApiClient api = new ApiClient(cp)) {
            assertThat(Files.readString(cp.trustBundleFile())).contains(bundle.strip());
            ApiClient.Answer issued = api.withToken(join).post(BASE + "/certificates", ApiClient.JSON
                    .createObjectNode().put("csr", TestCsrs.csr(TestCsrs.ec("secp256r1"), "CN=x")).toString());
            assertThat(issued.status()).as("the join-token key decrypted: an old token verifies").isEqualTo(201);
        }

        assertThatThrownBy(() -> ControlPlane.start(settings(dataDir)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("caKeyPassphraseFile: missing, but the CA's root-key.pem is encrypted in the store"
                        + " (expected: the file with the passphrase it was sealed with)");
        Path wrong = passphrase("wrong", "Tr0ub4dor&3");
        assertThatThrownBy(() -> ControlPlane.start(settings(dataDir).withCaKeyPassphraseFile(wrong)))
                .hasMessage("caKeyPassphraseFile: the CA's root-key.pem does not decrypt with this passphrase"
                        + " (expected: the passphrase it was sealed with)");
        // The refusals released the data dir.
        ControlPlane.start(settings(dataDir).withCaKeyPassphraseFile(secret)).close();
    }

    @Test
    void keysStoredInTheClearAreSealedWhenAPassphraseIsFirstGiven() throws Exception {
        Path dataDir = tmp.resolve("cp");
        String root;
        try (ControlPlane cp = ControlPlane.start(settings(dataDir))) {
            root = cp.store().get("/meshwork/ca/root-key.pem").orElseThrow().valueAsString();
            assertThat(root).contains("PRIVATE KEY");
        }
        Path secret = passphrase("passphrase", "s3cret");
        try (ControlPlane cp = ControlPlane.start(settings(dataDir).withCaKeyPassphraseFile(secret))) {
            assertThat(cp.store().get("/meshwork/ca/root-key.pem").orElseThrow().valueAsString())
                    .startsWith("mwsealed1.");
            assertThat(cp.store().get("/meshwork/ca/join-token-hmac.key").orElseThrow().valueAsString())
                    .startsWith("mwsealed1.");
        }
    }

    @Test
    void aPassphraseFileOthersCanReadIsRefused() throws Exception {
        Path secret = passphrase("passphrase", "s3cret");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ControlPlane.start(settings(tmp.resolve("cp")).withCaKeyPassphraseFile(secret)))
                .hasMessage("caKeyPassphraseFile: " + secret + " is mode 0644, open to other users (fix: chmod 600 "
                        + secret + ")");
        Path empty = passphrase("empty", "\n");
        assertThatThrownBy(() -> ControlPlane.start(settings(tmp.resolve("cp")).withCaKeyPassphraseFile(empty)))
                .hasMessageStartingWith("caKeyPassphraseFile: " + empty + " is empty");
    }
}
