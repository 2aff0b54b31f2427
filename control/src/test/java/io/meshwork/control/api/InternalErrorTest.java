package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure inside the control plane answers 500 with an id and nothing else; the log line with that id has the
 * cause. The failure here is the one two writers on one store produced: a history row at the revision this control
 * plane is about to write, from another SQLite connection.
 */
class InternalErrorTest {

    private static final String VS = "/apis/networking.istio.io/v1/namespaces/shop/virtualservices";

    @TempDir
    Path dataDir;

    @Test
    void aStoreFailureAnswers500WithAnIdAndTheLogHasTheCause() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ControlPlane cp = ControlPlane.start(new ControlPlaneSettings(dataDir,
                new InetSocketAddress("127.0.0.1", 0))); ApiClient api = new ApiClient(cp)) {
            long next = cp.store().currentRevision() + 1;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("meshwork.db"));
                    Statement st = other.createStatement()) {
                st.executeUpdate("INSERT INTO history (revision, seq, type, key, value, create_revision, version,"
                        + " lease) VALUES (" + next + ", 0, 0, x'2f78', x'', " + next + ", 1, 0)");
            }
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            ApiClient.Answer answer = api.post(VS, Manifests.virtualService("orders", "orders"));
            System.setErr(original);

            assertThat(answer.status()).isEqualTo(500);
            String message = answer.text("/message");
            Matcher id = Pattern.compile("internal error \\(id ([0-9a-f]{12})\\)").matcher(message);
            assertThat(id.matches()).as(message).isTrue();
            assertThat(answer.raw().body()).doesNotContain(dataDir.toString(), "meshwork.db", "SQLITE", "history");

            String logged = log.toString(StandardCharsets.UTF_8);
            assertThat(logged.lines().filter(l -> l.contains("(id " + id.group(1) + ")")).toList())
                    .singleElement().asString()
                    .contains("serving POST " + VS)
                    .contains("SQLITE_CONSTRAINT_PRIMARYKEY");
        } finally {
            System.setErr(original);
        }
    }
}
