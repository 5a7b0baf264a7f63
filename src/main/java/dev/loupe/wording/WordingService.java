package dev.loupe.wording;

import dev.loupe.backend.BackendService;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import dev.loupe.hash.Sha256;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.Variant;
import dev.loupe.prompt.WordingFile;
import dev.loupe.verdict.SchemaCatalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Semantic wordings: rephrasings of a profile's base prompt proposed by a text model, checked against the output
 * contract, written as proposals, and used by runs and consensus only once a person keeps them (moved beside the
 * hand-written variants, perhaps edited). What is on disk is what runs ask: a run is reproducible without the
 * text model.
 */
@ApplicationScoped
public class WordingService {

    private static final Logger LOG = Logger.getLogger(WordingService.class);
    static final String PROPOSED = "proposed";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** A proposal written. @param file where, as messages name it */
    public record Proposal(String name, String file, String sha256) {}

    /**
     * What one request gave.
     *
     * @param answered rephrasings the model returned
     * @param dropped  how many were not written, by reason
     */
    public record Generated(String profile, String generator, String requested, int asked, int answered,
            List<Proposal> written, Map<String, Integer> dropped, String folder) {}

    /**
     * A wording of a profile as {@code wordings list} shows it.
     *
     * @param kind      base, file, semantic, or a perturbation's kind
     * @param status    kept (used by runs and consensus), proposed (not used until kept), or generated
     * @param edited    whether a person changed a text model's text (its header's hash differs)
     * @param generator the text model that proposed it, or null
     */
    public record Listed(String name, String kind, String status, boolean edited, String sha256, String generator) {}

    private final ProfileCatalog profiles;
    private final SchemaCatalog schemas;
    private final TextModels models;
    private final BackendService backends;
    private final LoupeConfig config;
    private final MeterRegistry registry;
    private final Clock clock;

    public WordingService(ProfileCatalog profiles, SchemaCatalog schemas, TextModels models, BackendService backends,
            LoupeConfig config, MeterRegistry registry) {
        this.profiles = profiles;
        this.schemas = schemas;
        this.models = models;
        this.backends = backends;
        this.config = config;
        this.registry = registry;
        this.clock = Clock.systemUTC();
    }

    /** The profile's proposals folder: {@code <profile>/variants/proposed}. */
    public Path proposedFolder(String profile) {
        return profiles.folderOf(profile).resolve("variants").resolve(PROPOSED);
    }

    /**
     * Asks the text model for {@code count} rephrasings and writes those that keep the contract and are new.
     *
     * @param into where proposals go; null for the profile's own proposals folder
     * @throws ProblemException 400 bad count or no model, 502 the model failed, 409 the folder cannot be written
     */
    public Generated generate(String profileName, TextModels.Choice choice, int count, Path into) {
        Profile profile = profiles.get(profileName);
        if (count < 1 || count > config.wordings().maxCount()) {
            throw ProblemException.badRequest("'count' must be 1.." + config.wordings().maxCount());
        }
        OutputContract contract = OutputContract.of(profile.prompt(),
                schemas.find(profile.schema()).orElseThrow().document());
        Path folder = into != null ? into : proposedFolder(profileName);
        String requested = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        List<String> answer;
        try {
            Rephraser.Rephrasings got = models.rephraser(choice).rephrase(profile.prompt(), count, contract.quotedLines(),
                    contract.tokenList());
            answer = got == null || got.wordings() == null ? List.of() : got.wordings();
        } catch (RuntimeException e) {
            String why = backends.redact(String.valueOf(e.getMessage()));
            LOG.warnf("Text model %s failed: %s", choice.label(), why);
            throw new ProblemException(502, "text-model-failed", "The text model failed",
                    choice.label() + " gave no rephrasings: " + why);
        }

        Set<String> seen = new HashSet<>();
        seen.add(normalized(profile.prompt()));
        profile.variants().forEach(v -> seen.add(normalized(v.text())));
        proposals(folder).forEach(p -> seen.add(normalized(p.file().text())));
        Map<String, Integer> dropped = new LinkedHashMap<>();
        List<Proposal> written = new ArrayList<>();
        for (String raw : answer) {
            String text = raw == null ? "" : raw.replace("\r\n", "\n").strip();
            Optional<OutputContract.Drop> drop = contract.check(profile.prompt(), text);
            if (drop.isEmpty() && !seen.add(normalized(text))) {
                drop = Optional.of(OutputContract.Drop.DUPLICATE);
            }
            if (drop.isPresent()) {
                dropped.merge(drop.get().label(), 1, Integer::sum);
                Counter.builder("loupe_wordings_dropped").description("Rephrasings a text model proposed that were not written")
                        .tag("profile", profileName).tag("reason", drop.get().label()).register(registry).increment();
                continue;
            }
            WordingFile file = WordingFile.proposed(choice.label(), requested, text);
            String name = "sem-" + file.header().get(WordingFile.SHA256).substring(0, 10);
            Path target = folder.resolve(name + ".txt");
            write(folder, target, file);
            Counter.builder("loupe_wordings_proposed").description("Rephrasings written as proposals")
                    .tag("profile", profileName).register(registry).increment();
            written.add(new Proposal(name, describe(target), file.header().get(WordingFile.SHA256)));
        }
        LOG.infof("Text model %s: %d rephrasing(s) of %s, %d written to %s, dropped %s", choice.label(), answer.size(),
                profileName, written.size(), describe(folder), dropped);
        return new Generated(profileName, choice.label(), requested, count, answer.size(), written, dropped,
                describe(folder));
    }

    /** Base, kept files, proposals, generated ones: each with its kind, status and hash. */
    public List<Listed> list(String profileName, Path proposals) {
        Profile profile = profiles.get(profileName);
        List<Listed> out = new ArrayList<>();
        Path variants = profiles.folderOf(profileName).resolve("variants");
        for (Variant v : profile.variants()) {
            WordingFile file = v.source() == Variant.Source.SEMANTIC || v.source() == Variant.Source.FILE
                    ? read(variants.resolve(v.name() + ".txt")) : null;
            out.add(new Listed(v.name(), v.kind(), v.source() == Variant.Source.GENERATED ? "generated" : "kept",
                    file != null && file.edited(), v.sha256(), file == null ? null : file.header().get(WordingFile.GENERATOR)));
        }
        for (OnDisk p : proposals(proposals != null ? proposals : proposedFolder(profileName))) {
            out.add(new Listed(p.name(), WordingFile.SEMANTIC, "proposed", p.file().edited(), Sha256.hex(p.file().text()),
                    p.file().header().get(WordingFile.GENERATOR)));
        }
        return out;
    }

    /**
     * Moves a proposal beside the hand-written variants, as it is on disk now (a person may have edited it), and
     * reloads the profiles so that runs and consensus offer it.
     *
     * @throws ProblemException 404 no such proposal, 409 a wording of that name exists or the folder is read-only
     */
    public Listed keep(String profileName, String name, Path proposals) {
        profiles.get(profileName);
        if (name == null || !NAME.matcher(name).matches() || name.equals(Variant.BASE) || name.startsWith("gen-")) {
            throw ProblemException.badRequest("a wording's name is lower-case letters, digits, '-' or '_', "
                    + "neither 'base' nor starting with 'gen-'");
        }
        Path from = (proposals != null ? proposals : proposedFolder(profileName)).resolve(name + ".txt");
        Path to = profiles.folderOf(profileName).resolve("variants").resolve(name + ".txt");
        WordingFile file = read(from);
        if (file == null) {
            throw new ProblemException(404, "no-such-proposal", "No such proposal", "no proposal " + describe(from));
        }
        if (file.text().isBlank()) {
            throw ProblemException.badRequest(describe(from) + " holds no text below its header");
        }
        try {
            Files.createDirectories(to.getParent());
            Files.writeString(to, file.render(), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW);
            Files.delete(from);
        } catch (FileAlreadyExistsException e) {
            throw new ProblemException(409, "wording-exists", "A wording of that name exists", describe(to) + " exists");
        } catch (IOException | UnsupportedOperationException e) {
            throw readOnly(to.getParent(), e);
        }
        profiles.reload();
        LOG.infof("Wording %s of %s kept (%s)", name, profileName, file.edited() ? "edited" : "as proposed");
        return list(profileName, proposals).stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    /** A proposal on disk. */
    private record OnDisk(String name, WordingFile file) {}

    private List<OnDisk> proposals(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().map(f -> {
                String fileName = f.getFileName().toString();
                WordingFile file = read(f);
                return file == null ? null : new OnDisk(fileName.substring(0, fileName.length() - 4), file);
            }).filter(p -> p != null).toList();
        } catch (IOException e) {
            throw new ProblemException(409, "prompts-unreadable", "The wordings folder cannot be read",
                    describe(folder) + ": " + e.getMessage());
        }
    }

    private static WordingFile read(Path file) {
        try {
            return WordingFile.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ProblemException(409, "prompts-unreadable", "A wording cannot be read", file.getFileName()
                    + ": " + e.getMessage());
        }
    }

    private void write(Path folder, Path target, WordingFile file) {
        try {
            Files.createDirectories(folder);
            Files.writeString(target, file.render(), StandardCharsets.UTF_8);
        } catch (IOException | UnsupportedOperationException e) {
            throw readOnly(folder, e);
        }
    }

    private ProblemException readOnly(Path folder, Exception e) {
        return new ProblemException(409, "prompts-read-only", "The wordings folder cannot be written",
                describe(folder) + " cannot be written (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + "); set loupe.prompts-dir to a writable copy of the prompts, or give the command --out");
    }

    private String describe(Path file) {
        try {
            return profiles.describe(file);
        } catch (IllegalArgumentException elsewhere) {
            return file.toString(); // a folder the command named
        }
    }

    /** Texts that differ only in whitespace are the same wording (spacing is a perturbation, not a rephrasing). */
    private static String normalized(String text) {
        return WHITESPACE.matcher(text).replaceAll("");
    }
}
