package dev.loupe.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.RequiredTools;
import dev.loupe.store.Database;
import dev.loupe.testing.Postgres;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The run store on both databases: what is stored is read back the same, nothing is stored twice. */
class RunStoreTest {

    @TempDir
    static Path dir;

    private static Database database(String kind) {
        if (kind.equals("postgresql")) {
            RequiredTools.assume(Postgres.unavailable().isEmpty(), Postgres.unavailable().orElse(""));
            return Database.open(Postgres.url(), Optional.empty(), Optional.empty(), 4);
        }
        return Database.open("jdbc:h2:file:" + dir.resolve("runs"), Optional.empty(), Optional.empty(), 4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aRunAndItsCallsAreKeptOnceEach(String kind) {
        try (Database db = database(kind)) {
            RunStore store = new RunStore(db);
            String id = UUID.randomUUID().toString();
            long huge = 110_000L * 200 * 100; // beyond an int: the total is a long all the way down
            store.create(new RunStore.StoredRun(id, "microstructure", "qc/test.jsonl", "{}", RunStatus.RUNNING, huge,
                    Instant.now(), null, null));
            CallRecord answered = new CallRecord(0, "base", 1, "ab", "OK", "OK", "accepted", "valid_first_try", "", 12.5);
            store.save(id, answered);
            store.save(id, new CallRecord(0, "base", 1, "ab", "OK", "NG", "accepted", "valid_first_try", "", 1));
            store.save(id, CallRecord.error(1, "base", 1, null, "NG", "unreachable", "x".repeat(5000), 3));
            assertEquals(List.of(answered), store.calls(id).subList(0, 1), "a call stored twice keeps the first");
            assertEquals(2, store.calls(id).size());
            assertEquals(CallRecord.ERROR, store.calls(id).get(1).decision());
            assertEquals(Set.of("0/base/1", "1/base/1"), store.done(id));
            store.status(id, RunStatus.FAILED, "y".repeat(3000));
            RunStore.StoredRun run = store.run(id).orElseThrow();
            assertEquals(RunStatus.FAILED, run.status());
            assertEquals(huge, run.total());
            assertTrue(run.error().length() <= 2000 && run.finished() != null, "a long reason is cut, not refused");
            assertTrue(store.runs().stream().anyMatch(r -> r.id().equals(id)));
        }
    }
}
