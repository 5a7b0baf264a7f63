package dev.loupe.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points Loupe's store at the tests' real PostgreSQL ({@link Postgres}). Where PostgreSQL is not
 * installed it changes nothing, and the tests using it skip themselves with the reason.
 */
public class PostgresStore implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Postgres.unavailable().isPresent() ? Map.of() : Map.of("loupe.store.jdbc-url", Postgres.url(),
                "loupe.records.images-dir", "target/test-data/images-postgresql");
    }

    @Override
    public void stop() {
        // the server stops with the test JVM
    }
}
