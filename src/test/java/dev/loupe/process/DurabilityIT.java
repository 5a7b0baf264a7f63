package dev.loupe.process;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.LineLoad;
import dev.loupe.testing.LoupeProcess;
import dev.loupe.testing.Postgres;
import dev.loupe.testing.Processes;
import dev.loupe.testing.RequiredTools;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An answer means a record, through what a line's server meets: the process killed under load (H2 and
 * PostgreSQL), PostgreSQL stopped and started again under load, a full disk under the H2 file. In each,
 * every inspection answered 200 is found on record afterwards; while records cannot be committed Loupe
 * answers 503 and is not ready. The figures of each run are printed (and quoted in the README).
 */
class DurabilityIT {

    private static final int CLIENTS = 16;

    private WireMockServer model;
    private final List<LoupeProcess> started = new ArrayList<>();

    @BeforeEach
    void model() {
        model = new WireMockServer(options().dynamicPort().usingFilesUnderClasspath("wiremock")
                .containerThreads(64).jettyAcceptors(2));
        model.start();
        model.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withFixedDelay(5).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        model.stubFor(get(urlEqualTo("/v1/models")).willReturn(okJson("{\"object\": \"list\", \"data\": "
                + "[{\"id\": \"qc-lora\", \"object\": \"model\"}]}")));
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (LoupeProcess loupe : started) {
            loupe.close();
        }
        model.stop();
    }

    private LoupeProcess loupe(String name, String store, String images) throws Exception {
        LoupeProcess loupe = LoupeProcess.start(name, List.of("loupe.auth.mode=off",
                "loupe.backends.vllm.url=" + model.baseUrl() + "/v1", "loupe.backends.dashscope.api-key=",
                "loupe.store.jdbc-url=" + store, "loupe.records.images-dir=" + images, "loupe.records.commit-timeout=3s"));
        started.add(loupe);
        return loupe;
    }

    /** The ids no longer on record, asked of a running Loupe. */
    private static List<String> notOnRecord(LoupeProcess loupe, List<String> ids) {
        return ids.parallelStream().filter(id -> {
            try {
                return LoupeProcess.HTTP.send(HttpRequest.newBuilder(loupe.uri("/v1/inspections/" + id))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() != 200;
            } catch (Exception e) {
                return true;
            }
        }).toList();
    }

    private static void report(String event, LineLoad load, int lost) {
        System.out.printf("DURABILITY | %s | answered 200: %d | on record: %d | lost: %d | other answers: %s | no answer: %d%n",
                event, load.answered().size(), load.answered().size() - lost, lost, load.statuses(), load.failed());
    }

    private void killUnderLoadAndRestart(String event, String store) throws Exception {
        String images = "target/it/images-" + LoupeProcess.freePort();
        AtomicReference<LoupeProcess> current = new AtomicReference<>(loupe("crash", store, images));
        LineLoad load = new LineLoad(() -> current.get().uri("/"), CLIENTS);
        try {
            Awaitility.await("answers under load").atMost(Duration.ofSeconds(60)).until(() -> load.answered().size() >= 500);
            current.get().kill(); // SIGKILL in the middle of everything
            int failedBefore = load.failed();
            Awaitility.await("the clients see it gone").atMost(Duration.ofSeconds(30)).until(() -> load.failed() > failedBefore);
        } finally {
            load.close();
        }
        LoupeProcess restarted = loupe("crash-restarted", store, images);
        List<String> lost = notOnRecord(restarted, load.answered());
        report(event, load, lost.size());
        assertEquals(List.of(), lost, "every inspection answered 200 is on record after the restart");
    }

    @Test
    void killedUnderLoadOnH2EveryAnswerIsOnRecord() throws Exception {
        killUnderLoadAndRestart("kill -9, embedded H2", "jdbc:h2:file:./target/it/crash-h2-" + LoupeProcess.freePort());
    }

    @Test
    void killedUnderLoadOnPostgresqlEveryAnswerIsOnRecord() throws Exception {
        RequiredTools.assume(Postgres.unavailable().isEmpty(), Postgres.unavailable().orElse(""));
        try (Postgres.Cluster database = Postgres.Cluster.create()) {
            database.start();
            killUnderLoadAndRestart("kill -9, PostgreSQL", database.url());
        }
    }

    @Test
    void postgresqlStoppedAndStartedUnderLoad() throws Exception {
        RequiredTools.assume(Postgres.unavailable().isEmpty(), Postgres.unavailable().orElse(""));
        try (Postgres.Cluster database = Postgres.Cluster.create()) {
            database.start();
            LoupeProcess loupe = loupe("postgres-restart", database.url(), "target/it/images-" + LoupeProcess.freePort());
            try (LineLoad load = new LineLoad(() -> loupe.uri("/"), CLIENTS)) {
                Awaitility.await("answers under load").atMost(Duration.ofSeconds(60)).until(() -> load.answered().size() >= 300);
                database.stop(); // -m immediate: every connection cut
                Awaitility.await("503 record-unavailable while the database is down").atMost(Duration.ofSeconds(30))
                        .until(() -> load.count(503) >= 20);
                Awaitility.await("not ready, naming the store, while records cannot be committed")
                        .atMost(Duration.ofSeconds(30)).until(() -> readinessNamesTheStore(loupe));
                database.start();
                int answeredBefore = load.answered().size();
                Awaitility.await("answers again once the database is back").atMost(Duration.ofSeconds(30))
                        .until(() -> load.answered().size() > answeredBefore + 100);
                Awaitility.await("ready again").atMost(Duration.ofSeconds(30))
                        .until(() -> loupe.status("/q/health/ready") == 200);
                load.close();
                List<String> lost = notOnRecord(loupe, load.answered());
                report("PostgreSQL stopped (-m immediate) and started again", load, lost.size());
                assertEquals(List.of(), lost, "no 200 without a record");
            }
        }
    }

    @Test
    void aFullDiskUnderTheH2FileAndSpaceFreedAgain() throws Exception {
        Path volume = Files.createDirectories(Path.of("target", "it", "full-" + LoupeProcess.freePort()).toAbsolutePath());
        Processes.Result mounted = Processes.run(List.of("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", volume.toString()),
                null, Duration.ofSeconds(30));
        RequiredTools.assume(mounted.exitCode() == 0, "a small volume cannot be mounted here (needs root and mount): "
                + mounted.all());
        try {
            LoupeProcess loupe = loupe("disk-full", "jdbc:h2:file:" + volume.resolve("loupe"), volume.resolve("images").toString());
            try (LineLoad load = new LineLoad(() -> loupe.uri("/"), CLIENTS)) {
                Awaitility.await("answers under load").atMost(Duration.ofSeconds(60)).until(() -> load.answered().size() >= 200);
                // Fill what is left of the volume.
                Path filler = volume.resolve("filler");
                Processes.run(List.of("dd", "if=/dev/zero", "of=" + filler, "bs=1M", "count=64"), null, Duration.ofSeconds(60));
                Awaitility.await("503 record-unavailable while the disk is full").atMost(Duration.ofSeconds(60))
                        .until(() -> load.count(503) >= 20);
                Awaitility.await("not ready, naming the store, while records cannot be committed")
                        .atMost(Duration.ofSeconds(30)).until(() -> readinessNamesTheStore(loupe));
                Files.delete(filler);
                int answeredBefore = load.answered().size();
                Awaitility.await("answers again once space is freed").atMost(Duration.ofSeconds(60))
                        .until(() -> load.answered().size() > answeredBefore + 100);
                load.close();
                List<String> lost = notOnRecord(loupe, load.answered());
                report("disk full under H2, then space freed", load, lost.size());
                assertEquals(List.of(), lost, "no 200 without a record, through the full disk and after it");
            }
        } finally {
            for (LoupeProcess loupe : started) {
                loupe.close();
            }
            started.clear();
            Processes.run(List.of("umount", "-l", volume.toString()), null, Duration.ofSeconds(30));
        }
    }

    @Test
    void aStoreOnAReadOnlyVolumeIsNotReady() throws Exception {
        Path volume = Files.createDirectories(Path.of("target", "it", "read-only-" + LoupeProcess.freePort()).toAbsolutePath());
        Processes.Result mounted = Processes.run(List.of("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", volume.toString()),
                null, Duration.ofSeconds(30));
        RequiredTools.assume(mounted.exitCode() == 0, "a small volume cannot be mounted here (needs root and mount): "
                + mounted.all());
        try {
            String store = "jdbc:h2:file:" + volume.resolve("loupe");
            String images = volume.resolve("images").toString();
            loupe("read-only-first", store, images).close(); // makes the store, then stops
            started.clear();
            Processes.Result remounted = Processes.run(List.of("mount", "-o", "remount,ro", volume.toString()), null,
                    Duration.ofSeconds(30));
            assertEquals(0, remounted.exitCode(), remounted.all());
            LoupeProcess loupe = LoupeProcess.start("read-only", List.of("loupe.auth.mode=off",
                    "loupe.backends.vllm.url=" + model.baseUrl() + "/v1", "loupe.backends.dashscope.api-key=",
                    "loupe.store.jdbc-url=" + store, "loupe.records.images-dir=" + images));
            started.add(loupe);
            Awaitility.await("not ready, naming the store").atMost(Duration.ofSeconds(30))
                    .until(() -> readinessNamesTheStore(loupe));
            System.out.printf("DURABILITY | store on a read-only volume at start | readiness DOWN naming the store%n");
        } finally {
            for (LoupeProcess loupe : started) {
                loupe.close();
            }
            started.clear();
            Processes.run(List.of("umount", "-l", volume.toString()), null, Duration.ofSeconds(30));
        }
    }

    private static boolean readinessNamesTheStore(LoupeProcess loupe) throws Exception {
        String body = LoupeProcess.HTTP.send(HttpRequest.newBuilder(loupe.uri("/q/health/ready")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.contains("\"store\"") && body.contains("DOWN") && body.contains("cannot commit records");
    }
}
