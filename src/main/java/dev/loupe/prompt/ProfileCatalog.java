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

/** The profiles, loaded once at start-up; a broken profile stops the start with the file's name. */
@Startup
@ApplicationScoped
public class ProfileCatalog {

    private static final Logger LOG = Logger.getLogger(ProfileCatalog.class);

    private final Map<String, Profile> profiles;

    public ProfileCatalog(LoupeConfig config, com.fasterxml.jackson.databind.ObjectMapper json) {
        DataFolder folder = DataFolder.resolve(config.promptsDir(), "prompts");
        this.profiles = Map.copyOf(ProfileLoader.load(folder, json));
        LOG.infof("Loaded %d profile(s) from %s: %s", profiles.size(), folder.label(), profiles.keySet());
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
