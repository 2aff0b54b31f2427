package io.meshwork.control.ca;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A {@link CaStorage} of one file per name in a directory. Files are written to a temporary file
 * and renamed, so a crash never leaves half a key; on POSIX file systems the directory is 0700 and
 * every file 0600 because it holds the root's private key.
 */
public final class DirectoryCaStorage implements CaStorage {
  private final Path directory;
  private final boolean posix;

  public DirectoryCaStorage(Path directory) {
    this.directory = directory.toAbsolutePath();
    this.posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    try {
      if (posix) {
        try {
          Files.createDirectories(this.directory,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
          throw new IllegalArgumentException("directory: " + directory + " (expected: a directory)", e);
        }
      } else {
        Files.createDirectories(this.directory);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("directory: " + directory + " (expected: a writable directory)", e);
    }
  }

  public Path directory() {
    return directory;
  }

  @Override
  public Optional<String> get(String name) {
    try {
      return Optional.of(Files.readString(directory.resolve(CaStorage.requireValidName(name)), StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + directory.resolve(name), e);
    }
  }

  @Override
  public void put(String name, String value) {
    Path target = directory.resolve(CaStorage.requireValidName(name));
    try {
      Path temp = posix
          ? Files.createTempFile(directory, "." + name, ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
          : Files.createTempFile(directory, "." + name, ".tmp");
      try {
        Files.writeString(temp, value, StandardCharsets.UTF_8);
        try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
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
