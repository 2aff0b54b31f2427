package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.control.DataDirectoryException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory holds the CA's root key (in the store, and in SQLite's -wal and -shm files beside it): it and
 * every secret file in it are owner-only from the moment they exist, a directory open to others is refused, and one
 * control plane at a time may use it.
 */
class DataDirectoryTest {

    private static final String VS = "/apis/networking.istio.io/v1/namespaces/shop/virtualservices";

    @TempDir
    Path tmp;

    private static ControlPlaneSettings settings(Path dataDir) {
        return new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0));
    }

    @Test
    void theDataDirAndEverySecretFileInItAreOwnerOnly() throws Exception {
        Path dataDir = tmp.resolve("nested").resolve("control-plane");
        try (ControlPlane cp = ControlPlane.start(settings(dataDir)); ApiClient api = new ApiClient(cp)) {
            assertThat(api.post(VS, Manifests.virtualService("orders", "orders")).status()).isEqualTo(201);
            assertThat(mode(dataDir)).isEqualTo("rwx------");
            // The WAL holds the root key's page until a checkpoint; SQLite creates it and the -shm with the main
            // file's mode, so pre-creating meshwork.db 0600 is what decides them.
            for (String name : List.of("meshwork.db", "meshwork.db-wal", "meshwork.db-shm", "admin-token",
                    "meshwork.lock", "ca.pem")) {
                assertThat(dataDir.resolve(name)).exists();
                assertThat(mode(dataDir.resolve(name))).as(name).isEqualTo("rw-------");
            }
            assertThat(Files.readString(dataDir.resolve("meshwork.db-wal"), StandardCharsets.ISO_8859_1))
                    .as("the WAL really holds the key this protects").contains("/meshwork/ca/root-key.pem");
        }
    }

    @Test
    void anotherLocalUserCannotReadTheStoreOrItsWal() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "reading as user nobody needs root to switch users");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser")),
                "runuser (util-linux) is not installed");
        // nobody must be able to reach the data dir for the check to mean anything.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = tmp.resolve("control-plane");
        try (ControlPlane cp = ControlPlane.start(settings(dataDir)); ApiClient api = new ApiClient(cp)) {
            api.post(VS, Manifests.virtualService("orders", "orders"));
            Path probe = Files.writeString(tmp.resolve("probe"), "readable");
            Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rw-r--r--"));
            assertThat(readAsNobody(probe)).as("the harness: nobody reads a 0644 file").isZero();

            assertThat(readAsNobody(dataDir.resolve("meshwork.db-wal"))).as("through the 0700 directory").isNotZero();
            // Even with the directory opened up later (by mistake), each file keeps others out on its own.
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx--x--x"));
            for (String name : List.of("meshwork.db", "meshwork.db-wal", "meshwork.db-shm", "admin-token")) {
                assertThat(readAsNobody(dataDir.resolve(name))).as(name).isNotZero();
            }
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aDataDirOpenToOtherUsersIsRefusedWithTheFix() throws Exception {
        Path dataDir = Files.createDirectory(tmp.resolve("control-plane"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> ControlPlane.start(settings(dataDir)))
                .isInstanceOf(DataDirectoryException.class)
                .hasMessage("data dir " + dataDir + " is mode 0755, open to other users; it holds the CA's private"
                        + " key (fix: chmod 700 " + dataDir + ")");
        assertThat(dataDir.resolve("meshwork.db")).as("nothing written into it").doesNotExist();
    }

    @Test
    void aStoreOrTokenFileOpenToOtherUsersIsRefused() throws Exception {
        Path dataDir = tmp.resolve("control-plane");
        ControlPlane.start(settings(dataDir)).close();
        Path db = dataDir.resolve("meshwork.db");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ControlPlane.start(settings(dataDir)))
                .isInstanceOf(DataDirectoryException.class)
                .hasMessage(db + " is mode 0644, open to other users; it holds the CA's private key (fix: chmod 600 "
                        + db + ")");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-------"));

        // A WAL left behind by an older control plane (SQLite made it 0644 after a 0644 database).
        Path wal = Files.writeString(dataDir.resolve("meshwork.db-wal"), "");
        Files.setPosixFilePermissions(wal, PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> ControlPlane.start(settings(dataDir))).hasMessageContaining(wal + " is mode 0640");
        Files.delete(wal);

        Path token = dataDir.resolve("admin-token");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw----rw-"));
        assertThatThrownBy(() -> ControlPlane.start(settings(dataDir))).hasMessageContaining(token + " is mode 0606");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        ControlPlane.start(settings(dataDir)).close();
    }

    @Test
    void aSecondControlPlaneInTheSameProcessIsRefusedAndTheFirstKeepsWorking() throws Exception {
        Path dataDir = tmp.resolve("control-plane");
        try (ControlPlane first = ControlPlane.start(settings(dataDir)); ApiClient api = new ApiClient(first)) {
            assertThatThrownBy(() -> ControlPlane.start(settings(dataDir)))
                    .isInstanceOf(DataDirectoryException.class)
                    .hasMessage("data dir " + dataDir + " is in use by another control plane in this process (stop"
                            + " it first, or pass another --data-dir)");
            Path link = Files.createSymbolicLink(tmp.resolve("link"), dataDir);
            assertThatThrownBy(() -> ControlPlane.start(settings(link)))
                    .as("the same directory by another name").isInstanceOf(DataDirectoryException.class);
            for (int i = 0; i < 3; i++) {
                assertThat(api.post(VS, Manifests.virtualService("vs" + i, "h" + i)).status()).isEqualTo(201);
            }
            // The refused attempts did not release the OS lock: another process is still kept out.
            Rival rival = Rival.start(dataDir);
            assertThat(rival.firstLine()).startsWith("refused: data dir " + dataDir + " is in use by another"
                    + " control plane (pid " + ProcessHandle.current().pid() + ")");
            assertThat(rival.exitCode()).isEqualTo(3);
        }
        ControlPlane.start(settings(dataDir)).close();
    }

    @Test
    @Timeout(120)
    void aSecondControlPlaneProcessIsRefusedAndTheFirstKeepsWorking() throws Exception {
        Path dataDir = tmp.resolve("control-plane");
        Rival first = Rival.start(dataDir);
        try {
            assertThat(first.firstLine()).startsWith("started ");
            assertThatThrownBy(() -> ControlPlane.start(settings(dataDir)))
                    .isInstanceOf(DataDirectoryException.class)
                    .hasMessage("data dir " + dataDir + " is in use by another control plane (pid " + first.pid()
                            + ") (stop it first, or pass another --data-dir)");
        } finally {
            first.stop();
        }
        // Before the lock, this second start succeeded, and once it exited every write of the first failed with
        // [SQLITE_CONSTRAINT_PRIMARYKEY] on history.revision.
        try (ControlPlane cp = ControlPlane.start(settings(dataDir)); ApiClient api = new ApiClient(cp)) {
            assertThat(api.post(VS, Manifests.virtualService("after", "after")).status()).isEqualTo(201);
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static int readAsNobody(Path file) throws Exception {
        Process p = new ProcessBuilder("runuser", "-u", "nobody", "--", "cat", file.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    /** {@link RivalControlPlane} in a JVM of its own. */
    private record Rival(Process process, BufferedReader out) {
        static Rival start(Path dataDir) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                    RivalControlPlane.class.getName(), dataDir.toString()));
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return new Rival(p, new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
        }

        long pid() {
            return process.pid();
        }

        String firstLine() throws IOException {
            return String.valueOf(out.readLine());
        }

        int exitCode() throws InterruptedException {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return process.exitValue();
        }

        void stop() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
