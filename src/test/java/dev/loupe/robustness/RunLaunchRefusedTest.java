package dev.loupe.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.error.ProblemException;
import dev.loupe.store.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run launched while every coordinator and its queue are taken is refused with 429 and a time to
 * come back, and is not counted as executing here; the runs already taken go on when the store answers.
 */
class RunLaunchRefusedTest {

    @Test
    void aLaunchBeyondTheCoordinatorsAndTheirQueueIsRefusedWith429(@TempDir Path dir) throws Exception {
        try (Database db = Database.open("jdbc:h2:file:" + dir.resolve("runs"), Optional.empty(), Optional.empty(), 2)) {
            // Two connections made now and left idle in the pool: in exclusive mode H2 refuses new ones.
            try (Connection a = db.connection(); Connection b = db.connection()) {
                assertTrue(a.isValid(5) && b.isValid(5));
            }
            RunStore store = new RunStore(db);
            RunPlanner.Plan plan = new RunPlanner.Plan(null, null, List.of(), List.of(), 1, 1);
            RunExecutor executor = new RunExecutor(null, null, Duration.ofMinutes(1), 1);
            String first = UUID.randomUUID().toString();
            String second = UUID.randomUUID().toString();
            String third = UUID.randomUUID().toString();
            RunExecution running;
            RunExecution queued;
            try (Connection holder = db.connection()) {
                // Every other connection's statement now waits: the first run's coordinator is held in the store.
                holder.createStatement().execute("SET EXCLUSIVE 1");
                try {
                    running = executor.launch(first, plan, store, null);
                    queued = executor.launch(second, plan, store, null);
                    assertSame(running, executor.launch(first, plan, store, null), "a run already here is not launched twice");

                    ProblemException refused = assertThrows(ProblemException.class,
                            () -> executor.launch(third, plan, store, null));
                    assertEquals(429, refused.status());
                    assertEquals("too-many-runs", refused.slug());
                    assertTrue(refused.retryAfter().isPresent(), "it says when to come back");
                    assertFalse(executor.executing(third), "a refused run is not counted as running here");
                    assertEquals(2, executor.running());
                } finally {
                    // Closing the connection would only hand it back to the pool, still exclusive.
                    holder.createStatement().execute("SET EXCLUSIVE 0");
                }
            }
            assertTrue(running.ended.await(30, TimeUnit.SECONDS), "the first run went on once the store answered");
            assertTrue(queued.ended.await(30, TimeUnit.SECONDS), "and the queued one after it");
            executor.stopAll();
            assertEquals(0, executor.running());
        }
    }
}
