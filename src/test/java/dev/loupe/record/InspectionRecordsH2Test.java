package dev.loupe.record;

import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The records' promises on the embedded H2 file. */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
class InspectionRecordsH2Test extends InspectionRecordsContract {

    @Override
    void assumeDatabase() {
        // H2 is always here
    }
}
