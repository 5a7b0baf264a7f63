package dev.loupe.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    void aRealPostgresqlIsMigrated() throws Exception {
        assumeTrue(Postgres.unavailable().isEmpty(), Postgres.unavailable().orElse(""));
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
                r.next();
                assertTrue(r.getInt(1) >= 4, "the migrations in db/migration: " + r.getInt(1));
            }
            for (String table : new String[] {"robustness_run", "robustness_call", "robustness_item", "inspection_record",
                "inspection_review", "idempotency_key"}) {
                try (ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
                    assertTrue(r.next(), table);
                }
            }
        }
    }
}
