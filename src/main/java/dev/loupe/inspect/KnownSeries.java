package dev.loupe.inspect;

import dev.loupe.backend.BackendFailure;
import dev.loupe.backend.BackendMeters;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.verdict.Outcome;
import dev.loupe.verdict.Repair;
import dev.loupe.verdict.SchemaCatalog;
import dev.loupe.verdict.VerdictService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
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
            "consensus", VerdictService.CONFLICT, StepAsker.MAX_TOKENS);

    void register(@Observes StartupEvent event, ProfileCatalog profiles, SchemaCatalog schemas, MeterRegistry registry) {
        for (Profile profile : profiles.all()) {
            String name = profile.name();
            // The decisions are the schema's enum of the profile's decision field (OK, NG for verdict-v1).
            List<String> decisions = new ArrayList<>();
            schemas.find(profile.schema()).ifPresent(schema -> schema.document().path("properties")
                    .path(profile.decisionField()).path("enum").forEach(value -> decisions.add(value.asText())));
            decisions.add(InspectionMetrics.NO_DECISION);
            for (Profile.Step step : profile.chain()) {
                for (String status : STATUSES) {
                    for (String decision : decisions) {
                        if (status.equals("accepted") == !decision.equals(InspectionMetrics.NO_DECISION)) {
                            counter(registry, "loupe.inspections", InspectionMetrics.INSPECTIONS_HELP, "profile", name, "backend", step.backend(),
                                    "status", status, "decision", decision);
                        }
                    }
                }
                counter(registry, "loupe.backend.requests", BackendMeters.REQUESTS_HELP, "backend", step.backend(), "model", step.model(),
                        "outcome", "ok");
                for (BackendFailure failure : BackendFailure.values()) {
                    counter(registry, "loupe.backend.requests", BackendMeters.REQUESTS_HELP, "backend", step.backend(), "model", step.model(),
                            "outcome", failure.label());
                }
                for (String reason : List.of("stop", "length", "other")) {
                    counter(registry, "loupe.backend.finish.reasons", BackendMeters.FINISH_HELP, "backend", step.backend(),
                            "model", step.model(), "reason", reason);
                }
                counter(registry, "loupe.backend.cached.prompt.tokens", BackendMeters.CACHED_HELP, "backend", step.backend(),
                        "model", step.model());
            }
            for (Outcome outcome : Outcome.values()) {
                counter(registry, "loupe.verdict.outcomes", InspectionMetrics.OUTCOMES_HELP, "profile", name, "outcome", outcome.label());
            }
            for (Repair repair : Repair.values()) {
                counter(registry, "loupe.repairs", InspectionMetrics.REPAIRS_HELP, "profile", name, "kind", repair.label());
            }
            for (String keyword : VIOLATION_KEYWORDS) {
                counter(registry, "loupe.schema.violations", InspectionMetrics.VIOLATIONS_HELP, "profile", name, "keyword", keyword);
            }
        }
    }

    private static void counter(MeterRegistry registry, String name, String help, String... tags) {
        Counter.builder(name).description(help).tags(tags).register(registry);
    }
}
