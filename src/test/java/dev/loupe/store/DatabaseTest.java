package dev.loupe.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.RequiredTools;
import dev.loupe.testing.Postgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store opens and migrates on both databases Loupe runs on: an embedded H2 file and a real PostgreSQL. */
class DatabaseTest {

    @Test
    void anH2FileIsMigratedAndASecondProcessIsToldItIsLocked(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("loupe");
        try (Database db = Database.open(url, Optional.empty(), Optional.empty(), 2)) {
            assertEquals(Database.Kind.H2, db.kind());
            assertTables(db);
        }
        try (Database again = Database.open(url, Optional.empty(), Optional.empty(), 2)) {
            assertTables(again); // migrations are idempotent: a second start finds them applied
        }
        IllegalStateException bad = assertThrows(IllegalStateException.class,
                () -> Database.open("jdbc:postgresql://127.0.0.1:1/none?password=hunter2", Optional.empty(), Optional.empty(), 1));
        assertTrue(bad.getMessage().contains("password=***") && !bad.getMessage().contains("hunter2"), bad.getMessage());
    }

    @Test
    void h2RunsWithLoupesSettingsUnlessTheUrlNamesItsOwn(@TempDir Path dir) throws Exception {
        assertEquals("jdbc:h2:file:x;DB_CLOSE_ON_EXIT=FALSE;CACHE_SIZE=1024;WRITE_DELAY=0;MAX_LENGTH_INPLACE_LOB=65536",
                Database.h2Url("jdbc:h2:file:x"));
        assertEquals("jdbc:h2:file:x;cache_size=8192;DB_CLOSE_ON_EXIT=TRUE;write_delay=500;max_length_inplace_lob=128",
                Database.h2Url("jdbc:h2:file:x;cache_size=8192;DB_CLOSE_ON_EXIT=TRUE;write_delay=500;max_length_inplace_lob=128"));
        assertEquals("0", h2Setting(dir.resolve("durable"), "", "WRITE_DELAY"), "a commit is written before it returns");
        assertEquals("1", h2Setting(dir.resolve("small"), "", "info.CACHE_MAX_SIZE"), "a page cache of 1 MB");
        assertEquals("8", h2Setting(dir.resolve("own"), ";CACHE_SIZE=8192", "info.CACHE_MAX_SIZE"), "the URL's own size");
    }

    /** A setting of an H2 store opened by Loupe, as H2 reports it. */
    private static String h2Setting(Path file, String urlSettings, String name) throws Exception {
        try (Database db = Database.open("jdbc:h2:file:" + file + urlSettings, Optional.empty(), Optional.empty(), 2);
                Connection c = db.connection();
                var query = c.prepareStatement("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = ?")) {
            query.setString(1, name);
            try (ResultSet r = query.executeQuery()) {
                assertTrue(r.next(), name);
                return r.getString(1);
            }
        }
    }

    @Test
    void aRealPostgresqlIsMigrated() throws Exception {
        RequiredTools.assume(Postgres.unavailable().isEmpty(), Postgres.unavailable().orElse(""));
        try (Database db = Database.open(Postgres.url(), Optional.empty(), Optional.empty(), 2)) {
            assertEquals(Database.Kind.POSTGRESQL, db.kind());
            assertTables(db);
        }
    }

    /** Every migration applied, and the tables they make answer. */
    private static void assertTables(Database db) throws Exception {
        try (Connection c = db.connection()) {
            try (ResultSet r = c.createStatement().executeQuery(
                    "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"success\" = TRUE AND \"version\" IS NOT NULL")) {
                assertTrue(r.next(), "a count has a row");
                long migrations;
                try (var files = java.nio.file.Files.list(Path.of("src/main/resources/db/migration"))) {
                    migrations = files.filter(f -> f.getFileName().toString().endsWith(".sql")).count();
                }
                assertEquals(migrations, r.getInt(1), "every migration in db/migration applied");
            }
            for (String table : new String[] {"robustness_run", "robustness_call", "robustness_item", "inspection_record",
                "review", "idempotency_key", "store_probe"}) {
                try (ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
                    assertTrue(r.next(), table); // a table the migrations made answers a query
                }
            }
        }
    }
}
