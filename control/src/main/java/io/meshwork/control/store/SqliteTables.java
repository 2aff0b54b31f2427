package io.meshwork.control.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of {@link SqliteStore}: kv (current state), history (every change, for watches) and leases, plus a meta
 * table for the revision counters, which must survive even when every key and all history are gone. Keys are
 * BLOBs of UTF-8 so SQLite orders them by unsigned bytes, as etcd does. Not thread-safe: the store serializes use.
 */
final class SqliteTables implements AutoCloseable {

    private static final String[] SCHEMA = {
        """
        CREATE TABLE IF NOT EXISTS kv (
          key BLOB PRIMARY KEY, value BLOB NOT NULL, create_revision INTEGER NOT NULL,
          mod_revision INTEGER NOT NULL, version INTEGER NOT NULL, lease INTEGER NOT NULL) WITHOUT ROWID""",
        "CREATE INDEX IF NOT EXISTS kv_by_lease ON kv(lease) WHERE lease <> 0",
        """
        CREATE TABLE IF NOT EXISTS history (
          revision INTEGER NOT NULL, seq INTEGER NOT NULL, type INTEGER NOT NULL, key BLOB NOT NULL,
          value BLOB NOT NULL, create_revision INTEGER NOT NULL, version INTEGER NOT NULL, lease INTEGER NOT NULL,
          PRIMARY KEY (revision, seq)) WITHOUT ROWID""",
        "CREATE TABLE IF NOT EXISTS leases (id INTEGER PRIMARY KEY, ttl_seconds INTEGER NOT NULL, deadline_ms INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
    };

    private static final String KV_COLUMNS = "key, value, create_revision, mod_revision, version, lease";
    private static final int PUT = 0;
    private static final int DELETE = 1;

    private final Connection conn;
    private final PreparedStatement selectKey;
    private final PreparedStatement upsertKey;
    private final PreparedStatement deleteKey;
    private final PreparedStatement insertHistory;

    SqliteTables(Connection conn) throws SQLException {
        this.conn = conn;
        try (Statement st = conn.createStatement()) {
            for (String ddl : SCHEMA) {
                st.executeUpdate(ddl);
            }
        }
        conn.commit();
        selectKey = conn.prepareStatement("SELECT " + KV_COLUMNS + " FROM kv WHERE key = ?");
        upsertKey = conn.prepareStatement("INSERT OR REPLACE INTO kv (" + KV_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)");
        deleteKey = conn.prepareStatement("DELETE FROM kv WHERE key = ?");
        insertHistory = conn.prepareStatement(
                "INSERT INTO history (revision, seq, type, key, value, create_revision, version, lease)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    }

    void commit() throws SQLException {
        conn.commit();
    }

    void rollback() {
        try {
            conn.rollback();
        } catch (SQLException ignored) {
            // The original failure is what the caller reports; SQLite rolls back on close anyway.
        }
    }

    KeyValue get(String key) throws SQLException {
        selectKey.setBytes(1, utf8(key));
        try (ResultSet rs = selectKey.executeQuery()) {
            return rs.next() ? keyValue(rs) : null;
        }
    }

    List<KeyValue> range(KeyRange range) throws SQLException {
        String sql = "SELECT " + KV_COLUMNS + " FROM kv WHERE key >= ?" + (range.end() == null ? "" : " AND key < ?")
                + " ORDER BY key";
        try (PreparedStatement st = conn.prepareStatement(sql)) {
            st.setBytes(1, range.start());
            if (range.end() != null) {
                st.setBytes(2, range.end());
            }
            List<KeyValue> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(keyValue(rs));
                }
            }
            return out;
        }
    }

    List<String> keysOfLease(long lease) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement("SELECT key FROM kv WHERE lease = ? ORDER BY key")) {
            st.setLong(1, lease);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new String(rs.getBytes(1), StandardCharsets.UTF_8));
                }
            }
            return out;
        }
    }

    void upsert(KeyValue kv) throws SQLException {
        upsertKey.setBytes(1, utf8(kv.key()));
        upsertKey.setBytes(2, kv.value());
        upsertKey.setLong(3, kv.createRevision());
        upsertKey.setLong(4, kv.modRevision());
        upsertKey.setLong(5, kv.version());
        upsertKey.setLong(6, kv.lease());
        upsertKey.executeUpdate();
    }

    void delete(String key) throws SQLException {
        deleteKey.setBytes(1, utf8(key));
        deleteKey.executeUpdate();
    }

    void appendHistory(int seq, WatchEvent event) throws SQLException {
        KeyValue kv = event.kv();
        insertHistory.setLong(1, kv.modRevision());
        insertHistory.setInt(2, seq);
        insertHistory.setInt(3, event.type() == WatchEvent.Type.PUT ? PUT : DELETE);
        insertHistory.setBytes(4, utf8(kv.key()));
        insertHistory.setBytes(5, kv.value());
        insertHistory.setLong(6, kv.createRevision());
        insertHistory.setLong(7, kv.version());
        insertHistory.setLong(8, kv.lease());
        insertHistory.executeUpdate();
    }

    /** Changes under {@code range} with a revision above {@code afterRevision}, in commit order. */
    List<WatchEvent> history(KeyRange range, long afterRevision) throws SQLException {
        String sql = "SELECT revision, type, key, value, create_revision, version, lease FROM history"
                + " WHERE revision > ? AND key >= ?" + (range.end() == null ? "" : " AND key < ?")
                + " ORDER BY revision, seq";
        try (PreparedStatement st = conn.prepareStatement(sql)) {
            st.setLong(1, afterRevision);
            st.setBytes(2, range.start());
            if (range.end() != null) {
                st.setBytes(3, range.end());
            }
            List<WatchEvent> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    KeyValue kv = new KeyValue(new String(rs.getBytes(3), StandardCharsets.UTF_8), rs.getBytes(4),
                            rs.getLong(5), rs.getLong(1), rs.getLong(6), rs.getLong(7));
                    out.add(new WatchEvent(rs.getInt(2) == PUT ? WatchEvent.Type.PUT : WatchEvent.Type.DELETE, kv));
                }
            }
            return out;
        }
    }

    void dropHistoryThrough(long revision) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement("DELETE FROM history WHERE revision <= ?")) {
            st.setLong(1, revision);
            st.executeUpdate();
        }
    }

    long meta(String name) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    void setMeta(String name, long value) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)")) {
            st.setString(1, name);
            st.setLong(2, value);
            st.executeUpdate();
        }
    }

    Lease lease(long id) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement("SELECT ttl_seconds, deadline_ms FROM leases WHERE id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? new Lease(id, rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2))) : null;
            }
        }
    }

    void putLease(Lease lease) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement(
                "INSERT OR REPLACE INTO leases (id, ttl_seconds, deadline_ms) VALUES (?, ?, ?)")) {
            st.setLong(1, lease.id());
            st.setLong(2, lease.ttlSeconds());
            st.setLong(3, lease.deadline().toEpochMilli());
            st.executeUpdate();
        }
    }

    void deleteLease(long id) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement("DELETE FROM leases WHERE id = ?")) {
            st.setLong(1, id);
            st.executeUpdate();
        }
    }

    List<Long> leasesDueBy(long epochMillis) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement("SELECT id FROM leases WHERE deadline_ms <= ? ORDER BY deadline_ms")) {
            st.setLong(1, epochMillis);
            List<Long> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        }
    }

    @Override
    public void close() throws SQLException {
        conn.close();
    }

    private static KeyValue keyValue(ResultSet rs) throws SQLException {
        return new KeyValue(new String(rs.getBytes(1), StandardCharsets.UTF_8), rs.getBytes(2), rs.getLong(3),
                rs.getLong(4), rs.getLong(5), rs.getLong(6));
    }

    private static byte[] utf8(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
