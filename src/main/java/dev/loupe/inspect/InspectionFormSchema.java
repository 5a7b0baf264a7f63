package dev.loupe.inspect;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.MediaType;

/**
 * Marks the multipart form's required fields in the OpenAPI document, which the generator leaves
 * out for a form of separate parts, so Swagger UI shows them required.
 */
@OpenApiFilter
public class InspectionFormSchema implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null) {
            return;
        }
        PathItem inspections = openAPI.getPaths().getPathItem("/v1/inspections");
        if (inspections == null || inspections.getPOST() == null || inspections.getPOST().getRequestBody() == null) {
            return;
        }
        MediaType form = inspections.getPOST().getRequestBody().getContent().getMediaType("multipart/form-data");
        if (form != null && form.getSchema() != null) {
            form.getSchema().setRequired(List.of("image", "profile"));
        }
    }
}
