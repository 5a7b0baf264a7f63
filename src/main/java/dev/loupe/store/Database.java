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
                            // A connection broken by a database restart is found and replaced, not handed out.
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
            throw new IllegalStateException("cannot open the store at " + shown + ": " + e.getMessage(), e);
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
            throw new IllegalStateException("cannot open the store at " + shown + ": " + rootMessage(e), e);
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
