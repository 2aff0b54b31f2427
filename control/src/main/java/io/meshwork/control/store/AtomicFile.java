package io.meshwork.control.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Replaces a file in the data dir so that no reader ever sees half of it and nobody else can read
 * it: the content goes to an owner-only (0600) temporary file beside the target, is forced to disk,
 * and is renamed over the target.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /** Writes {@code content} (UTF-8) to {@code target} atomically, readable by the owner only. */
  public static void replace(Path target, String content) {
    Path dir = target.getParent();
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    try {
      Path temp = posix
          ? Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
          : Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
      try {
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          channel.force(true);
        }
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + target, e);
    }
  }
}
