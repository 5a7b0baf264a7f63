package dev.loupe.record;

import dev.loupe.store.Database;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * What committing inspection records costs the process, by the number of records a commit holds: records
 * as the recorder writes them (its insert, this schema, an envelope of a realistic length) into an H2 file
 * opened with Loupe's settings ({@link Database}), committed on this thread, CPU time from the JVM.
 * Usage: {@code DIR [GROUPS] [ENVELOPE_CHARS]}, e.g. {@code target/commit-bench 1,2,4,8,16 2500}, or
 * {@code src/test/bench/record-commit.sh}; another store URL as {@code -Dcommit.url=...}. Decision 0005 quotes it.
 */
public final class RecordCommitBenchmark {

    private static final int RECORDS_PER_GROUP_SIZE = 4000;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int[] groups = Arrays.stream((args.length > 1 ? args[1] : "1,2,4,8,16").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int envelopeChars = args.length > 2 ? Integer.parseInt(args[2]) : 2500;
        Files.createDirectories(dir);
        String url = System.getProperty("commit.url", "jdbc:h2:file:" + dir.toAbsolutePath().resolve("records"));
        String envelope = envelope(envelopeChars);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Database db = Database.open(url, Optional.empty(), Optional.empty(), 2)) {
            // The first round warms the JIT and grows the tables; the second is printed.
            for (int round = 0; round < 2; round++) {
                for (int group : groups) {
                    int commits = RECORDS_PER_GROUP_SIZE / group;
                    long before = threads.getCurrentThreadCpuTime();
                    for (int c = 0; c < commits; c++) {
                        commit(db, group, envelope);
                    }
                    double millis = (threads.getCurrentThreadCpuTime() - before) / 1e6;
                    if (round == 1) {
                        System.out.printf("%2d records a commit: %.3f ms of CPU per commit, %.3f ms per record%n", group,
                                millis / commits, millis / (commits * group));
                    }
                }
            }
        }
    }

    /** One commit of {@code group} records, as {@link InspectionRecords#insertAll} writes them. */
    private static void commit(Database db, int group, String envelope) throws Exception {
        String placeholders = String.join(",", Collections.nCopies(InspectionRecords.COLUMNS.split(",").length, "?"));
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO inspection_record (" + InspectionRecords.COLUMNS
                    + ") VALUES (" + placeholders + ")")) {
                for (int i = 0; i < group; i++) {
                    Instant now = Instant.now();
                    String sha = UUID.randomUUID().toString().replace("-", "").repeat(2);
                    Object[] values = {timeOrderedId(now), Timestamp.from(now), "micrograph", "accepted", "pass", "vllm",
                        "qwen2.5-vl-7b-instruct", "default", null, null, null, null, sha, "png",
                        Timestamp.from(now.plusSeconds(86_400)), sha, sha, sha, "verdict", sha, envelope, null, false, false,
                        sha, "jpeg", 0.93, "logprobs", "pass", null, null};
                    for (int k = 0; k < values.length; k++) {
                        s.setObject(k + 1, values[k]);
                    }
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    /** Like Loupe's inspection ids: the time first, so records are appended to the tables' B-trees. */
    private static String timeOrderedId(Instant now) {
        UUID random = UUID.randomUUID();
        return new UUID((now.toEpochMilli() << 16) | (random.getMostSignificantBits() & 0xFFFF),
                random.getLeastSignificantBits()).toString();
    }

    /** A JSON text of about {@code chars} characters, like an envelope. */
    private static String envelope(int chars) {
        Random random = new Random(1);
        StringBuilder json = new StringBuilder("{\"verdict\":{");
        while (json.length() < chars) {
            json.append("\"k").append(random.nextInt(1000)).append("\":\"").append(Long.toHexString(random.nextLong()))
                    .append("\",");
        }
        return json.append("\"end\":true}}").toString();
    }
}
