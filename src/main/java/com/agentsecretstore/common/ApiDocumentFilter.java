package com.agentsecretstore.common;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * Owns what {@code /q/openapi} says about errors and credentials, so that no resource repeats it:
 * the one {@code Problem} schema (RFC 9457, built from {@link ProblemType}), the error responses
 * every operation shares, and the security schemes the running service accepts.
 * <p>
 * The error statuses an operation gets follow from its shape, because they come from layers every
 * request passes through, not from the operation: a credential (401, 403, 429 for a source over
 * its failure limit, 503 when an identity provider is unreachable), the path guard and query
 * parsing (400, 422), the content negotiation (406), a body (400, 415, 422), a named resource
 * (404: a path parameter or a {@code path} query parameter), a write (409: a concurrent writer of the
 * same unique name), and 500. A status that only some operations answer (201, 202, a 409 of a read)
 * is an {@code @APIResponse} on the resource method; this filter then only fills in its body.
 * <p>
 * Runs at startup, not at build time: the OIDC and Kubernetes schemes are listed only when configured.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class ApiDocumentFilter implements OASFilter {

    static final String PROBLEM = "Problem";
    static final String API_KEY = "api_key";
    static final String OIDC = "oidc";
    static final String KUBERNETES = "kubernetes";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Config config = ConfigProvider.getConfig();
        Components components = openAPI.getComponents() == null ? OASFactory.createComponents() : openAPI.getComponents();
        openAPI.setComponents(components);
        components.addSchema("FieldError", fieldErrorSchema());
        components.addSchema(PROBLEM, problemSchema());
        List<String> schemes = securitySchemes(config, components);

        if (openAPI.getPaths() == null) {
            return;
        }
        // The dashboard's sign-in pages are browser redirects with cookies, not an API for clients.
        openAPI.getPaths().getPathItems().keySet().stream().filter(p -> p.startsWith("/sso/")).toList()
                .forEach(openAPI.getPaths()::removePathItem);
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (!path.startsWith("/v1/")) {
                return;
            }
            item.getOperations().forEach((method, operation) -> describe(method, operation, schemes));
        });
    }

    private static void describe(PathItem.HttpMethod method, Operation operation, List<String> schemes) {
        // Every /v1 operation needs a credential; any one of the configured schemes will do.
        List<SecurityRequirement> security = new ArrayList<>();
        for (String scheme : schemes) {
            security.add(OASFactory.createSecurityRequirement().addScheme(scheme));
        }
        operation.setSecurity(security);

        APIResponses responses = operation.getResponses() == null ? OASFactory.createAPIResponses() : operation.getResponses();
        operation.setResponses(responses);
        List<Parameter> parameters = operation.getParameters() == null ? List.of() : operation.getParameters();
        boolean body = operation.getRequestBody() != null;
        boolean namesResource = parameters.stream().anyMatch(p -> p.getIn() == Parameter.In.PATH
                || (p.getIn() == Parameter.In.QUERY && "path".equals(p.getName()) && Boolean.TRUE.equals(p.getRequired())));
        boolean writes = method != PathItem.HttpMethod.GET;

        List<Integer> statuses = new ArrayList<>(List.of(400, 401, 403, 406, 429, 500, 503));
        if (body || !parameters.isEmpty()) {
            statuses.add(422);
        }
        if (body) {
            statuses.add(415);
        }
        if (namesResource) {
            statuses.add(404);
        }
        if (writes) {
            statuses.add(409);
        }
        for (int status : statuses) {
            String code = Integer.toString(status);
            if (responses.hasAPIResponse(code)) {
                continue;
            }
            responses.addAPIResponse(code, OASFactory.createAPIResponse());
        }
        // Every error response, annotated or added here, carries the Problem body and says which kinds it can be.
        responses.getAPIResponses().forEach((code, response) -> {
            if (code.matches("[45]\\d\\d")) {
                problemResponse(Integer.parseInt(code), response);
            }
        });
        // Sort the responses by status: the document reads in the order a person looks for them.
        Map<String, APIResponse> sorted = new TreeMap<>(responses.getAPIResponses());
        operation.setResponses(OASFactory.createAPIResponses());
        sorted.forEach(operation.getResponses()::addAPIResponse);
    }

    private static void problemResponse(int status, APIResponse response) {
        List<ProblemType> kinds = kinds(status);
        String own = response.getDescription();
        String kindList = kinds.stream().map(k -> "`" + k.slug() + "`").collect(Collectors.joining(", "));
        String title = kinds.isEmpty() ? "Error" : kinds.get(0).title();
        String description = (own == null || own.isBlank() || own.equals(title) ? title : own)
                + " (problem type " + kindList + ")";
        response.setDescription(description);
        Schema ref = OASFactory.createSchema().ref(PROBLEM);
        response.setContent(OASFactory.createContent()
                .addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType().schema(ref)));
        if (status == 401) {
            response.addHeader("WWW-Authenticate", header("`Bearer`: send a credential", SchemaType.STRING));
        }
        if (status == 429) {
            response.addHeader("Retry-After", header("Seconds to wait, when known", SchemaType.INTEGER));
        }
    }

    /** The kinds of a status; a status no kind fixes is an {@code http-error}. */
    static List<ProblemType> kinds(int status) {
        List<ProblemType> kinds = Arrays.stream(ProblemType.values()).filter(k -> k.status() == status).toList();
        return kinds.isEmpty() ? List.of(ProblemType.HTTP_ERROR) : kinds;
    }

    private static Header header(String description, SchemaType type) {
        return OASFactory.createHeader().description(description).schema(OASFactory.createSchema().addType(type));
    }

    private static Schema problemSchema() {
        Schema type = string("A URI naming the kind of problem; clients match on it, never on title or detail");
        for (ProblemType kind : ProblemType.values()) {
            type.addEnumeration(kind.uri());
        }
        type.format("uri");
        return OASFactory.createSchema()
                .addType(SchemaType.OBJECT)
                .description("RFC 9457 problem details, the body of every error (`application/problem+json`). "
                        + "Extension members sit beside the standard ones; more may be added, so clients ignore unknown members.")
                .addProperty("type", type)
                .addProperty("title", string("A short summary of the kind, for people"))
                .addProperty("status", OASFactory.createSchema().addType(SchemaType.INTEGER).description("The HTTP status"))
                .addProperty("detail", string("What went wrong with this request, for people"))
                .addProperty("instance", string("The request path"))
                .addProperty("errors", OASFactory.createSchema().addType(SchemaType.ARRAY)
                        .description("The invalid fields, named as the client sent them (`validation-failed`, `bad-request`)")
                        .items(OASFactory.createSchema().ref("FieldError")))
                .addProperty("approval_status", string("The approval request's status (`approval-closed`, `approval-expired`, "
                        + "`already-approved`, `no-token-to-collect`)"))
                .addProperty("max_wait_seconds", integer("The longest long-poll allowed (`validation-failed` of `timeout_seconds`)"))
                .addProperty("limit", integer("The quota that was reached (`limit-exceeded`)"))
                .addProperty("retry_after_seconds", integer("Seconds to wait before retrying (`rate-limited`), as in `Retry-After`"))
                .addRequired("type").addRequired("title").addRequired("status")
                .additionalPropertiesBoolean(Boolean.TRUE);
    }

    private static Schema fieldErrorSchema() {
        return OASFactory.createSchema()
                .addType(SchemaType.OBJECT)
                .description("One invalid field, e.g. `path_overrides[1].tier`")
                .addProperty("field", string("The field, in snake_case; `body` for the body as a whole"))
                .addProperty("message", string("What is wrong with it"))
                .addRequired("field").addRequired("message");
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(SchemaType.STRING).description(description);
    }

    private static Schema integer(String description) {
        return OASFactory.createSchema().addType(SchemaType.INTEGER).format("int64").description(description);
    }

    /** Adds the schemes this service accepts now and returns their names. */
    private static List<String> securitySchemes(Config config, Components components) {
        List<String> names = new ArrayList<>();
        Map<String, SecurityScheme> schemes = components.getSecuritySchemes();
        if (schemes != null) {
            // Quarkus's own guess (one OIDC scheme, listed even when OIDC is off) gives way to the ones below.
            new ArrayList<>(schemes.keySet()).forEach(components::removeSecurityScheme);
        }
        components.addSecurityScheme(API_KEY, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("ass_…")
                .description("An API key (`Authorization: Bearer ass_…`), shown once when a principal or key is created"));
        names.add(API_KEY);
        boolean oidc = config.getOptionalValue("ass.oidc.enabled", Boolean.class).orElse(false);
        Optional<String> issuer = config.getOptionalValue("quarkus.oidc.auth-server-url", String.class);
        if (oidc && issuer.isPresent()) {
            String base = issuer.get().endsWith("/") ? issuer.get() : issuer.get() + "/";
            components.addSecurityScheme(OIDC, OASFactory.createSecurityScheme()
                    .type(SecurityScheme.Type.OPENIDCONNECT)
                    .openIdConnectUrl(base + ".well-known/openid-configuration")
                    .description("An access token from the organisation's identity provider (`Authorization: Bearer <JWT>`)"));
            names.add(OIDC);
        }
        Optional<List<String>> issuers = config.getOptionalValues("ass.kubernetes.issuers", String.class);
        if (issuers.isPresent() && !issuers.get().isEmpty()) {
            String audience = config.getOptionalValue("ass.kubernetes.audience", String.class).orElse("agent-secret-store");
            components.addSecurityScheme(KUBERNETES, OASFactory.createSecurityScheme()
                    .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")
                    .description("A projected Kubernetes service-account token for audience `" + audience
                            + "` (`Authorization: Bearer <JWT>`), from the issuers " + String.join(", ", issuers.get())));
            names.add(KUBERNETES);
        }
        return names;
    }
}
