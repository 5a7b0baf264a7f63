package dev.loupe.verdict;

import dev.loupe.config.DataFolder;
import dev.loupe.config.LoupeConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/** The verdict schemas, compiled once at start-up; a broken schema stops the start with the file's name. */
@Startup
@ApplicationScoped
public class SchemaCatalog {

    private static final Logger LOG = Logger.getLogger(SchemaCatalog.class);

    private final Map<String, VerdictSchema> schemas;

    public SchemaCatalog(LoupeConfig config, com.fasterxml.jackson.databind.ObjectMapper json) {
        DataFolder folder = DataFolder.resolve(config.schemasDir(), "schemas");
        this.schemas = Map.copyOf(SchemaLoader.load(folder, json));
        LOG.infof("Compiled %d schema(s) from %s: %s", schemas.size(), folder.label(), schemas.keySet());
    }

    public Optional<VerdictSchema> find(String name) {
        return Optional.ofNullable(schemas.get(name));
    }

    public Set<String> names() {
        return schemas.keySet();
    }

    public Map<String, VerdictSchema> all() {
        return schemas;
    }
}
