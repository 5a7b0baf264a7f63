package dev.loupe.record;


import dev.loupe.testing.RequiredTools;
import dev.loupe.testing.Postgres;
import dev.loupe.testing.PostgresStore;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The records' promises on a real PostgreSQL, started by the tests. */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
@WithTestResource(PostgresStore.class)
class InspectionRecordsPostgresTest extends InspectionRecordsContract {

    @Override
    void assumeDatabase() {
        RequiredTools.assume(Postgres.unavailable().isEmpty(), Postgres.unavailable().orElse(""));
    }
}
