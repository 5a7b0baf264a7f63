package dev.loupe.review;

import dev.loupe.auth.Callers;
import dev.loupe.auth.Roles;
import dev.loupe.error.Problem;
import dev.loupe.error.ProblemException;
import dev.loupe.error.RequestValues;
import dev.loupe.http.ApiExamples;
import dev.loupe.record.InspectionRecord;
import dev.loupe.record.InspectionRecords;
import dev.loupe.record.RecordedImages;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/** The review queue, and the reviewed inspections out as training data. */
@Path("/v1")
@Tag(name = "Reviews")
@Produces(MediaType.APPLICATION_JSON)
public class ReviewResource {

    private static final Logger LOG = Logger.getLogger(ReviewResource.class);
    private static final int MAX_QUEUE_PAGE = 200;

    /** The next inspections to review, most informative first, and how many wait in all. */
    public record Queue(long length, List<QueueItem> items) {}

    /**
     * An inspection waiting for a person.
     *
     * @param reason why: needs_review (no valid verdict, or consensus fell short), below-threshold (a pass
     *               verdict a certified policy held), audit (an accepted verdict drawn for the audit sample)
     * @param score  the probability of the model's decision, null when there was none
     */
    public record QueueItem(String id, java.time.Instant createdAt, String profile, String status, String reason,
            Double score, String decision, String line, String station, String lot, String serial) {

        static QueueItem of(InspectionRecord r) {
            return new QueueItem(r.id(), r.createdAt(), r.profile(), r.status(), r.queueReason(), r.score(),
                    r.scoredDecision(), r.line(), r.station(), r.lot(), r.serial());
        }
    }

    private final InspectionRecords records;
    private final TrainingExport export;
    private final RecordedImages images;
    private final SecurityIdentity caller;

    public ReviewResource(InspectionRecords records, TrainingExport export, RecordedImages images, SecurityIdentity caller) {
        this.caller = caller;
        this.records = records;
        this.export = export;
        this.images = images;
    }

    @GET
    @Path("/reviews/queue")
    @RolesAllowed(Roles.REVIEW)
    @Operation(summary = "What waits for a person, most informative first: needs_review and below-threshold inspections "
            + "by score (least sure first), then the audit sample of accepted ones; each with why it is there")
    public Queue queue(@QueryParam("profile") String profile, @QueryParam("limit") String limit) {
        int size = (int) RequestValues.whole("limit", limit, 1, MAX_QUEUE_PAGE, 20);
        String p = profile == null || profile.isBlank() ? null : profile.strip();
        long length = records.queueLengths().entrySet().stream().filter(e -> p == null || e.getKey().equals(p))
                .mapToLong(java.util.Map.Entry::getValue).sum();
        return new Queue(length, records.queue(p, size).stream().map(QueueItem::of).toList());
    }

    @GET
    @Path("/exports/ms-swift")
    @RolesAllowed(Roles.ADMIN)
    @Produces("application/zip")
    @Operation(summary = "The standing reviews of a profile as an ms-swift training set: train.jsonl (and val.jsonl), the "
            + "images as sent to the model, system.txt, manifest.json and README.txt with the swift sft command, in a zip")
    @APIResponse(responseCode = "400", description = "No profile, or a parameter that cannot be read",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Response exportMsSwift(
            @QueryParam("profile") @Parameter(required = true, example = ApiExamples.PROFILE) String profile,
            @QueryParam("reviewed_from") @Parameter(description = "reviews made at or after this ISO-8601 instant") String from,
            @QueryParam("reviewed_to") @Parameter(description = "reviews made before this ISO-8601 instant") String to,
            @QueryParam("val_ratio") @Parameter(description = "share of each decision's lines in val.jsonl, 0 to 0.5 "
                    + "(default 0: no val.jsonl)") String valRatio,
            @QueryParam("seed") @Parameter(description = "seed of the validation split (default 0)") String seed,
            // Read only to refuse them with a pointer to the right ones: not part of the documented operation.
            @QueryParam("from") @Parameter(hidden = true) String inspectedFrom,
            @QueryParam("to") @Parameter(hidden = true) String inspectedTo) {
        if (profile == null || profile.isBlank()) {
            throw ProblemException.badRequest("'profile' is required");
        }
        if (inspectedFrom != null || inspectedTo != null) {
            throw ProblemException.badRequest("the export chooses reviews by when they were made: use 'reviewed_from' and "
                    + "'reviewed_to'");
        }
        TrainingExport.Request request = new TrainingExport.Request(profile.strip(),
                RequestValues.instant("reviewed_from", from), RequestValues.instant("reviewed_to", to),
                RequestValues.number("val_ratio", valRatio, 0, 0.5, 0),
                RequestValues.whole("seed", seed, Long.MIN_VALUE, Long.MAX_VALUE, 0));
        export.check(request.profile());
        LOG.infof("Training export of %s for %s", request.profile(), Callers.keyName(caller).orElse("an open caller"));
        StreamingOutput zip = out -> export.write(request, images::read, out);
        return Response.ok(zip, "application/zip")
                .header("Content-Disposition", "attachment; filename=\"" + request.profile() + "-ms-swift.zip\"").build();
    }
}
