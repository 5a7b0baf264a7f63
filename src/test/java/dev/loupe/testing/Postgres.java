package dev.loupe.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the store tests, from Debian's {@code postgresql} package (which
 * .ci/run installs): a fresh cluster under target/, on a free loopback port, started once per class
 * loader and stopped when the JVM exits. As root (CI), the server runs as the package's {@code postgres} user,
 * since PostgreSQL refuses to run as root.
 */
public final class Postgres {

    private static final Path BINARIES = Path.of("/usr/lib/postgresql");
    private static volatile String url;

    private Postgres() {}

    /** Why there is no server here, or empty when there is one. */
    public static Optional<String> unavailable() {
        return bin().isPresent() ? Optional.empty()
                : Optional.of("PostgreSQL is not installed (apt-get install postgresql; .ci/run does)");
    }

    /** The JDBC URL of the running server (started on first call): user loupe, no password, database postgres. */
    public static synchronized String url() {
        if (url == null) {
            url = start();
        }
        return url;
    }

    private static Optional<Path> bin() {
        try (Stream<Path> versions = Files.list(BINARIES)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String start() {
        Cluster cluster = Cluster.create();
        cluster.start();
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::stopQuietly, "postgres-stop"));
        return cluster.url();
    }

    /**
     * A PostgreSQL cluster of one test's own, under target/, on a free loopback port: for tests that stop
     * and start the database under Loupe. {@link #stop} is {@code pg_ctl -m immediate}: the server goes
     * at once, as a crash takes it.
     */
    public static final class Cluster implements AutoCloseable {

        private final Path bin;
        private final Path dir;
        private final int port;
        private final boolean root;

        private Cluster(Path bin, Path dir, int port, boolean root) {
            this.bin = bin;
            this.dir = dir;
            this.port = port;
            this.root = root;
        }

        /** A fresh cluster (initdb), not started yet. */
        public static Cluster create() {
            Path bin = bin().orElseThrow(() -> new IllegalStateException(unavailable().orElseThrow()));
            try {
                // Its own folder per cluster: plain and Quarkus tests load this class in different class loaders.
                Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "postgres-");
                int port;
                try (ServerSocket socket = new ServerSocket(0)) {
                    port = socket.getLocalPort();
                }
                boolean root = "root".equals(System.getProperty("user.name"));
                if (root) {
                    run(List.of("chown", "-R", "postgres", dir.toString()), false);
                }
                run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "loupe",
                        "--auth=trust", "-E", "UTF8", "--locale=C"), root);
                return new Cluster(bin, dir, port, root);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot make a PostgreSQL cluster: " + e.getMessage(), e);
            }
        }

        /** Starts the server and waits until it takes connections. */
        public void start() {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                        dir.resolve("server.log").toString(), "-w", "-t", "60", "-o", "-p " + port + " -k " + dir
                                + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"), root);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot start PostgreSQL: " + e.getMessage(), e);
            }
        }

        /** Stops the server at once ({@code -m immediate}: no checkpoint, every connection cut). */
        public void stop() {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                        "-w", "stop"), root);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot stop PostgreSQL: " + e.getMessage(), e);
            }
        }

        void stopQuietly() {
            try {
                stop();
            } catch (IllegalStateException ignored) {
                // the JVM is ending, or the server is down already; its data directory stays under target/
            }
        }

        /** The JDBC URL: user loupe, no password, database postgres. */
        public String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=loupe";
        }

        @Override
        public void close() {
            stopQuietly();
        }
    }

    private static void run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Processes.Result result = Processes.run(full, null, Duration.ofMinutes(2));
        if (result.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + result.all());
        }
    }
}
