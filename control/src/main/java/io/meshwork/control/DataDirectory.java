package io.meshwork.control;

import io.meshwork.control.auth.AdminToken;
import io.meshwork.control.store.SqliteStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's data directory, owned by one running control plane. It holds the store (and with it the CA's
 * root key and the join-token key), SQLite's {@code -wal} and {@code -shm} files, which hold the same data, and the
 * admin token: it is created owner-only (0700) and a directory or secret file that other users could read or write
 * is refused at start rather than tightened quietly, since its contents may already have been copied.
 *
 * <p>An exclusive lock on {@value #LOCK_FILE}, held until {@link #close()}, keeps a second control plane out: two
 * writers on one store would each count revisions from their own memory and break the other's writes.
 */
public final class DataDirectory implements AutoCloseable {

    /** The lock file; it also names the pid of the control plane holding it, for the second one's error. */
    public static final String LOCK_FILE = "meshwork.lock";
    /** Files that hold secrets: the store and SQLite's companions (which carry the same pages), the admin token. */
    static final List<String> SECRET_FILES = List.of(SqliteStore.FILE_NAME, SqliteStore.FILE_NAME + "-wal",
            SqliteStore.FILE_NAME + "-shm", SqliteStore.FILE_NAME + "-journal", AdminToken.FILE_NAME, LOCK_FILE);

    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
    private static final Set<PosixFilePermission> OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /**
     * The directories this process has locked. POSIX record locks belong to the process, so the OS would grant a
     * second lock in the same JVM, and closing any descriptor of the lock file releases the lock held through
     * another: a second control plane in this process is turned away here, before it opens the file.
     */
    private static final Set<Path> LOCKED_HERE = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path key;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean closed;

    private DataDirectory(Path dir, Path key, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.key = key;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates {@code dir} owner-only if it is missing, checks that it and its secret files are owner-only, and
     * locks it.
     *
     * @throws DataDirectoryException with the one line to show when the directory is unsafe, in use or unusable
     */
    public static DataDirectory open(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        boolean posix = abs.getFileSystem().supportedFileAttributeViews().contains("posix");
        create(abs, posix);
        if (posix) {
            requireOwnerOnly(abs, true);
            for (String name : SECRET_FILES) {
                requireOwnerOnly(abs.resolve(name), false);
            }
        } else {
            log.warn("{} is not on a POSIX file system: cannot make its secrets owner-only", abs);
        }
        Path key = canonical(abs);
        if (!LOCKED_HERE.add(key)) {
            throw new DataDirectoryException("data dir " + abs + " is in use by another control plane in this"
                    + " process (stop it first, or pass another --data-dir)");
        }
        try {
            return lock(abs, key, posix);
        } catch (RuntimeException e) {
            LOCKED_HERE.remove(key);
            throw e;
        }
    }

    public Path path() {
        return dir;
    }

    /** Releases the lock; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            log.warn("releasing the lock on {} failed: {}", dir, e.getMessage());
        } finally {
            LOCKED_HERE.remove(key);
        }
    }

    private static DataDirectory lock(Path dir, Path key, boolean posix) {
        Path file = dir.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            channel = posix
                    ? FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE), ownerOnly("rw-------"))
                    : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new DataDirectoryException("data dir " + dir + ": cannot open " + LOCK_FILE + " ("
                    + e.getMessage() + ")", e);
        }
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new DataDirectoryException("data dir " + dir + " is in use by another control plane"
                        + holder + " (stop it first, or pass another --data-dir)");
            }
            // The pid is advice for the next one's error message; the lock is what excludes.
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
            channel.force(true);
            return new DataDirectory(dir, key, channel, lock);
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // The lock failure is what the caller reports.
            }
            throw new DataDirectoryException("data dir " + dir + ": cannot lock " + LOCK_FILE + " ("
                    + e.getMessage() + ")", e);
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            channel.read(buf, 0);
            String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
            return pid.matches("[0-9]{1,10}") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void create(Path dir, boolean posix) {
        try {
            if (posix) {
                // Created with the mode, not chmod-ed afterwards: there is no moment when others may look in.
                Files.createDirectories(dir, ownerOnly("rwx------"));
            } else {
                Files.createDirectories(dir);
            }
        } catch (FileAlreadyExistsException e) {
            throw new DataDirectoryException("data dir " + dir + " is not a directory (expected: a directory the"
                    + " control plane owns)", e);
        } catch (IOException e) {
            throw new DataDirectoryException("data dir " + dir + " cannot be created (" + e.getMessage() + ")", e);
        }
    }

    /** Refuses {@code path} when group or others have any access to it; a missing file is fine. */
    private static void requireOwnerOnly(Path path, boolean directory) {
        if (!directory && Files.isSymbolicLink(path)) {
            // A link could point the store's writes at a file others can read.
            throw new DataDirectoryException(path + " is a symbolic link (expected: a regular file the control plane"
                    + " wrote; remove the link)");
        }
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(path);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new DataDirectoryException((directory ? "data dir " : "") + path + ": cannot read its mode ("
                    + e.getMessage() + ")", e);
        }
        if (mode.stream().anyMatch(OTHERS::contains)) {
            throw new DataDirectoryException((directory ? "data dir " : "") + path + " is mode " + octal(mode)
                    + ", open to other users; it holds the CA's private key (fix: chmod "
                    + (directory ? "700 " : "600 ") + path + ")");
        }
    }

    private static Path canonical(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir;
        }
    }

    static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", bits);
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnly(String mode) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode));
    }
}
