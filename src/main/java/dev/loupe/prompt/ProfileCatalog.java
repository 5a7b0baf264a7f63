package dev.loupe.prompt;

import dev.loupe.config.DataFolder;
import dev.loupe.config.LoupeConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The profiles, loaded at start-up (a broken profile stops the start with the file's name), and again when a
 * person keeps a proposed wording through the API ({@link #reload()}).
 */
@Startup
@ApplicationScoped
public class ProfileCatalog {

    private static final Logger LOG = Logger.getLogger(ProfileCatalog.class);

    private final DataFolder folder;
    private final com.fasterxml.jackson.databind.ObjectMapper json;
    private volatile Map<String, Profile> profiles;

    public ProfileCatalog(LoupeConfig config, com.fasterxml.jackson.databind.ObjectMapper json) {
        this.folder = DataFolder.resolve(config.promptsDir(), "prompts");
        this.json = json;
        this.profiles = Map.copyOf(ProfileLoader.load(folder, json));
        LOG.infof("Loaded %d profile(s) from %s: %s", profiles.size(), folder.label(), profiles.keySet());
    }

    /**
     * Reads the profiles again (after a wording was kept). A profile that no longer loads leaves the
     * loaded ones in place and throws with the file's name.
     */
    public synchronized void reload() {
        profiles = Map.copyOf(ProfileLoader.load(folder, json));
        LOG.infof("Reloaded %d profile(s) from %s", profiles.size(), folder.label());
    }

    /** The profile's own folder: where its wordings are written and kept. */
    public java.nio.file.Path folderOf(String name) {
        get(name);
        return folder.path().resolve(name);
    }

    /** How messages name a file of the prompts folder. */
    public String describe(java.nio.file.Path file) {
        return folder.describe(file);
    }

    public Profile get(String name) {
        Profile profile = profiles.get(name);
        if (profile == null) {
            throw new UnknownProfileException(name, profiles.keySet().stream().sorted().toList());
        }
        return profile;
    }

    /** The profile of that name, if it is loaded. */
    public java.util.Optional<Profile> find(String name) {
        return java.util.Optional.ofNullable(profiles.get(name));
    }

    /** The profile's wordings with {@code generated} generated ones: the same texts on every call. */
    public List<Variant> variants(String name, int generated) {
        Profile profile = get(name);
        if (generated == profile.variantPolicy().generated()) {
            return profile.variants();
        }
        List<Variant> variants = new ArrayList<>(profile.variants().stream()
                .filter(v -> v.source() != Variant.Source.GENERATED).toList());
        Profile.VariantPolicy policy = profile.variantPolicy();
        variants.addAll(new VariantGenerator(profile.prompt(), policy.seed(), policy.words()).generate(generated));
        return variants;
    }

    public Collection<Profile> all() {
        return profiles.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }
}
