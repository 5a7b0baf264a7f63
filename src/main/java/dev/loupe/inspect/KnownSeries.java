package dev.loupe.inspect;

import dev.loupe.backend.BackendFailure;
import dev.loupe.backend.ResilientBackend;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.verdict.Outcome;
import dev.loupe.verdict.Repair;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Registers, at zero, the counter series whose label values are known in advance, so dashboards
 * and alert rules see 0 rather than no data before the first event (a ratio over "no data" is no
 * alert at all).
 */
@ApplicationScoped
public class KnownSeries {

    private static final List<String> STATUSES = List.of("accepted", "needs_review", "error");
    private static final List<String> VIOLATION_KEYWORDS = List.of(
            "json", "required", "enum", "const", "type", "minimum", "maximum", "maxLength", "additionalProperties",
            "consensus");

    void register(@Observes StartupEvent event, ProfileCatalog profiles, MeterRegistry registry) {
        for (Profile profile : profiles.all()) {
            String name = profile.name();
            for (Profile.Step step : profile.chain()) {
                for (String status : STATUSES) {
                    for (String decision : List.of("OK", "NG", "none")) {
                        if (status.equals("accepted") == !decision.equals("none")) {
                            counter(registry, "loupe.inspections", InspectionService.INSPECTIONS_HELP, "profile", name, "backend", step.backend(),
                                    "status", status, "decision", decision);
                        }
                    }
                }
                counter(registry, "loupe.backend.requests", ResilientBackend.REQUESTS_HELP, "backend", step.backend(), "model", step.model(),
                        "outcome", "ok");
                for (BackendFailure failure : BackendFailure.values()) {
                    counter(registry, "loupe.backend.requests", ResilientBackend.REQUESTS_HELP, "backend", step.backend(), "model", step.model(),
                            "outcome", failure.label());
                }
            }
            for (Outcome outcome : Outcome.values()) {
                counter(registry, "loupe.verdict.outcomes", InspectionService.OUTCOMES_HELP, "profile", name, "outcome", outcome.label());
            }
            for (Repair repair : Repair.values()) {
                counter(registry, "loupe.repairs", InspectionService.REPAIRS_HELP, "profile", name, "kind", repair.label());
            }
            for (String keyword : VIOLATION_KEYWORDS) {
                counter(registry, "loupe.schema.violations", InspectionService.VIOLATIONS_HELP, "profile", name, "keyword", keyword);
            }
        }
    }

    private static void counter(MeterRegistry registry, String name, String help, String... tags) {
        Counter.builder(name).description(help).tags(tags).register(registry);
    }
}
