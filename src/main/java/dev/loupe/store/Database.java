package dev.loupe.store;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * One store: a pooled JDBC datasource (Agroal) on an embedded H2 file or a PostgreSQL server, chosen
 * by URL at run time, its tables made and kept current by Flyway migrations
 * ({@code db/migration}, plain SQL both databases run). Built here rather than as a Quarkus-configured
 * datasource because the database kind is a deployment choice (H2 for one replica, PostgreSQL for
 * several), not a build-time one, and the robustness command opens a store of its own.
 */
public final class Database implements AutoCloseable {

    /** The databases Loupe runs on; the SQL that differs between them is chosen by this. */
    public enum Kind {
        H2, POSTGRESQL
    }

    private final AgroalDataSource dataSource;
    private final Kind kind;
    private final String shownUrl;

    private Database(AgroalDataSource dataSource, Kind kind, String shownUrl) {
        this.dataSource = dataSource;
        this.kind = kind;
        this.shownUrl = shownUrl;
    }

    /**
     * H2's settings as Loupe runs it, each unless the URL names it already.
     * <ul>
     * <li>{@code DB_CLOSE_ON_EXIT=FALSE}: the database is closed by Loupe, not by H2's own shutdown hook,
     * which runs beside Quarkus' shutdown and would close the store under the records still being written.
     * <li>{@code CACHE_SIZE=1024} (KB; H2's default is 16 MB): every page H2 writes goes into its page
     * cache, and under a steady stream of records the pages turn over in seconds. At 600 inspections/s
     * (capacity harness) a 16 MB cache kept each page alive through several young collections, each one
     * copying it again: 4.7 ms of object copying per pause against 2.9 ms with 1 MB, and 55 MB of heap
     * in use after a collection against 33 MB (both with {@code UnfinalizedStreams}). Records are
     * appended (time-ordered ids) and mostly read newest first; a page that has left the cache is read
     * back from the file, which the operating system caches.
     * <li>{@code WRITE_DELAY=0}: a commit is written to the file before it returns (H2 otherwise writes
     * committed changes up to a second later), so an inspection answered after its record's commit is on
     * record even if the process is killed the next instant. Records are committed in groups, one write
     * per group.
     * <li>{@code MAX_LENGTH_INPLACE_LOB=65536}: an envelope (a TEXT column, so that no answer is too long to
     * keep) of up to 64 KB is stored in its row like a VARCHAR, not in H2's separate LOB storage.
     * </ul>
     */
    static String h2Url(String url) {
        String upper = url.toUpperCase(java.util.Locale.ROOT);
        StringBuilder withSettings = new StringBuilder(url);
        if (!upper.contains(";DB_CLOSE_ON_EXIT=")) {
            withSettings.append(";DB_CLOSE_ON_EXIT=FALSE");
        }
        if (!upper.contains(";CACHE_SIZE=")) {
            withSettings.append(";CACHE_SIZE=1024");
        }
        if (!upper.contains(";WRITE_DELAY=")) {
            withSettings.append(";WRITE_DELAY=0");
        }
        if (!upper.contains(";MAX_LENGTH_INPLACE_LOB=")) {
            withSettings.append(";MAX_LENGTH_INPLACE_LOB=65536");
        }
        return withSettings.toString();
    }

    /**
     * Opens the pool and migrates the schema.
     *
     * @throws IllegalStateException when the database cannot be reached, is locked by another process
     *                               or cannot be migrated; the message names the URL (never a password)
     */
    public static Database open(String url, Optional<String> user, Optional<String> password, int maxConnections) {
        Kind kind = kindOf(url);
        String shown = url.replaceAll("(?i)password=[^;&]*", "password=***");
        AgroalDataSource dataSource;
        try {
            dataSource = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                    .connectionPoolConfiguration(pool -> pool
                            .minSize(0)
                            .maxSize(maxConnections)
                            .acquisitionTimeout(Duration.ofSeconds(10))
                            // A connection broken by a database restart (or an H2 store closed after an I/O
                            // error) is found when borrowed and replaced, not handed out: the store's return is
                            // picked up by the next use, not after the next background validation.
                            .validateOnBorrow(true)
                            .validationTimeout(Duration.ofSeconds(30))
                            .connectionValidator(AgroalConnectionPoolConfiguration.ConnectionValidator.defaultValidator())
                            .connectionFactoryConfiguration(factory -> {
                                factory.jdbcUrl(kind == Kind.H2 ? h2Url(url) : url)
                                        // The driver of this class loader: DriverManager keeps the first loader's.
                                        .connectionProviderClass(kind == Kind.H2 ? org.h2.Driver.class : org.postgresql.Driver.class);
                                user.ifPresent(u -> factory.principal(new NamePrincipal(u)));
                                password.ifPresent(p -> factory.credential(new SimplePassword(p)));
                                return factory;
                            })));
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot open the store at " + shown + ": " + e.getMessage(), e);
        }
        try {
            Flyway.configure(Database.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    // A store made before migrations existed already has the first tables (created if absent).
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw new StoreUnavailableException("cannot open the store at " + shown + ": " + rootMessage(e), e);
        }
        return new Database(dataSource, kind, shown);
    }

    static Kind kindOf(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return Kind.H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return Kind.POSTGRESQL;
        }
        throw new IllegalArgumentException("the store URL must be jdbc:h2:... or jdbc:postgresql:..., not " + url);
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** Work on one connection, in one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T on(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction, committed when it returns, rolled back when it throws. When
     * the connection turns out broken (the database restarted, or H2 closed its file after an I/O
     * error), every pooled connection is let go and the work runs once more on a fresh one: all or
     * nothing each time, so running it twice is safe.
     */
    public <T> T inTransaction(Work<T> work) throws SQLException {
        try {
            return once(work);
        } catch (SQLException e) {
            if (!broken(e)) {
                throw e;
            }
            dataSource.flush(AgroalDataSource.FlushMode.ALL);
            return once(work);
        }
    }

    private <T> T once(Work<T> work) throws SQLException {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.on(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException broken) {
                    // the connection is gone; the pool validates it before handing it out again
                }
            }
        }
    }

    /**
     * Whether a failure is the connection's rather than the statement's: SQL state class 08
     * (connection exception), PostgreSQL's 57P01–57P03 (the server shutting down or starting), H2's
     * "database closed" (90098, 90121) and its store's I/O failures (general error 50000 with an MVStore
     * cause).
     */
    public static boolean broken(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || state.equals("90098") || state.equals("90121")) {
                    return true;
                }
            }
            if (t.getClass().getName().startsWith("org.h2.mvstore.MVStoreException")) {
                return true;
            }
        }
        return false;
    }

    public Kind kind() {
        return kind;
    }

    /** The URL as it may be shown: no password. */
    public String url() {
        return shownUrl;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
