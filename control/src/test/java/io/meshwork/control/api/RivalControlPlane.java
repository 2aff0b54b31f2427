package io.meshwork.control.api;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.control.DataDirectoryException;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A second control plane in its own process, for {@link DataDirectoryTest}: starts on the data dir in {@code args[0]}
 * and prints {@code started} (then waits for stdin to close) or {@code refused: <message>} and exits 3.
 */
final class RivalControlPlane {
    private RivalControlPlane() {}

    public static void main(String[] args) throws Exception {
        try (ControlPlane plane = ControlPlane.start(new ControlPlaneSettings(Path.of(args[0]),
                new InetSocketAddress("127.0.0.1", 0)))) {
            System.out.println("started " + plane.url());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Runs until the test closes our stdin.
            }
        } catch (DataDirectoryException e) {
            System.out.println("refused: " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }
}
