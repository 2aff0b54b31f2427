package io.meshwork.control.ca;

import io.meshwork.control.store.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
    AtomicFile.replace(directory.resolve(CaStorage.requireValidName(name)), value);
  }
}
