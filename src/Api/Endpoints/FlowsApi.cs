using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Api.Wire;
using CommerceManager.CustomFields;

namespace CommerceManager.Api.Endpoints;

/// <summary><c>/v2/flows</c> and <c>/v2/fields</c> (client credentials only), as in EP.</summary>
public static class FlowsApi
{
    public static RouteGroupBuilder MapFlowsApi(this RouteGroupBuilder v2)
    {
        var errors = (Func<string, string>)(p => "data." + (p switch
        {
            _ when p.StartsWith("Rules", StringComparison.Ordinal) => "validation_rules",
            "Type" => "field_type",
            "Flow" => "relationships.flow",
            _ => ApiJson.Snake(p),
        }));
        // Any token reads the design (storefronts render custom fields, as in EP); only a server changes it.
        var read = v2.MapGroup("").WithTags("Custom fields");
        var design = v2.MapGroup("").RequireAuthorization(ApiSetup.ClientCredentials).WithTags("Custom fields").ValidationErrors(422, errors);

        read.MapGet("/flows", ListFlowsAsync).WithSummary("List flows").Produces<ListResponse<FlowResource>>();
        read.MapGet("/flows/{id}", GetFlowAsync).WithSummary("Get a flow by id or slug").Produces<DataResponse<FlowResource>>();
        read.MapGet("/flows/{slug}/fields", FlowFieldsAsync).WithSummary("List a flow's fields").Produces<ListResponse<FieldResource>>();
        read.MapGet("/fields", ListFieldsAsync).WithSummary("List fields").Produces<ListResponse<FieldResource>>();
        read.MapGet("/fields/{id:guid}", GetFieldAsync).WithSummary("Get a field").Produces<DataResponse<FieldResource>>();

        design.MapPost("/flows", CreateFlowAsync).WithSummary("Create a flow (slug customers, addresses or accounts)").Produces<DataResponse<FlowResource>>(201);
        design.MapPut("/flows/{id:guid}", UpdateFlowAsync).WithSummary("Update a flow").Produces<DataResponse<FlowResource>>();
        design.MapDelete("/flows/{id:guid}", DeleteFlowAsync).WithSummary("Delete a flow (the core customers and addresses flows cannot be deleted)")
            .Produces(204).Produces<ApiErrorBody>(422);
        design.MapPost("/fields", CreateFieldAsync).WithSummary("Create a field")
            .WithDescription("{\"data\":{\"type\":\"field\",\"name\",\"slug\",\"field_type\":\"string|integer|boolean|float|date\",\"required\",\"enabled\",\"default\",\"omit_null\",\"order\",\"validation_rules\":[{\"type\":\"enum\",\"options\":[…]},{\"type\":\"email\"},{\"type\":\"slug\"},{\"type\":\"between\",\"options\":{\"from\",\"to\"}},{\"type\":\"length\",\"options\":{\"min\",\"max\"}},{\"type\":\"regex\",\"options\":{\"pattern\"}}],\"relationships\":{\"flow\":{\"data\":{\"type\":\"flow\",\"id\"}}}}}")
            .Produces<DataResponse<FieldResource>>(201);
        design.MapPut("/fields/{id:guid}", UpdateFieldAsync).WithSummary("Update a field (not its type or slug)").Produces<DataResponse<FieldResource>>();
        design.MapDelete("/fields/{id:guid}", DeleteFieldAsync).WithSummary("Delete a field").Produces(204);
        return v2;
    }

    private static FlowResource Flow(HttpRequest request, FlowDto f) => new("flow", f.Id, f.Name, f.Slug, f.Description, f.Enabled, ApiLinks.Self(request, $"/v2/flows/{f.Id}"),
        new FlowRelationships(new ManyRelationship(f.FieldIds.Select(id => new ResourceRef("field", id.ToString())).ToList())),
        TimestampsMeta.Of(f.CreatedAt, f.UpdatedAt));

    private static FieldResource Field(HttpRequest request, FieldDefinition f) => new("field", f.Id, f.Name, f.Slug, FieldDefinition.TypeName(f.Type), FieldRulesJson.Write(f.Rules),
        f.Description, f.Required, f.Default?.DeepClone(), f.Enabled, f.Order, f.OmitNull, f.CustomerEditable, ApiLinks.Self(request, $"/v2/fields/{f.Id}"),
        new FieldRelationships(new Relationship(new ResourceRef("flow", f.FlowId.ToString()))), TimestampsMeta.Of(f.CreatedAt, f.UpdatedAt));

    private static async Task<IResult> ListFlowsAsync(HttpRequest request, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct) =>
        TypedResults.Json(ApiPaging.All(request, (await designer.ListFlowsAsync(user, ct)).Select(f => Flow(request, f)).ToList()));

    private static async Task<IResult> GetFlowAsync(string id, HttpRequest request, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct)
    {
        var flow = await designer.GetFlowAsync(user, id, ct);
        return flow is null ? ApiErrors.NotFound("This flow") : TypedResults.Json(new DataResponse<FlowResource>(Flow(request, flow)));
    }

    private static async Task<IResult> CreateFlowAsync(ApiBody<FlowData> body, HttpRequest request, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct)
    {
        var data = body.Data;
        var outcome = await designer.CreateFlowAsync(user, new FlowInput
        {
            Slug = data.Slug.Value, Name = data.Name.Value, Description = data.Description.Value, Enabled = data.Enabled.Value ?? true,
        }, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<FlowResource>(Flow(request, outcome.Value!)), statusCode: 201)
            : ApiErrors.Failure(outcome, "This flow", duplicateTitle: "Conflict");
    }

    private static async Task<IResult> UpdateFlowAsync(Guid id, ApiBody<FlowData> body, HttpRequest request, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct)
    {
        var current = await designer.GetFlowAsync(user, id.ToString(), ct);
        if (current is null)
        {
            return ApiErrors.NotFound("This flow");
        }
        var data = body.Data;
        var outcome = await designer.UpdateFlowAsync(user, id, new FlowInput
        {
            Slug = data.Slug.Value, Name = data.Name.Value, Description = data.Description.Value, Enabled = data.Enabled.Value ?? current.Enabled,
        }, ct);
        return outcome.IsOk ? TypedResults.Json(new DataResponse<FlowResource>(Flow(request, outcome.Value!))) : ApiErrors.Failure(outcome, "This flow");
    }

    private static async Task<IResult> DeleteFlowAsync(Guid id, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct)
    {
        var outcome = await designer.DeleteFlowAsync(user, id, ct);
        return outcome.IsOk ? TypedResults.NoContent() : ApiErrors.Failure(outcome, "This flow", refusedStatus: 422);
    }

    private static async Task<IResult> FlowFieldsAsync(string slug, HttpRequest request, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct)
    {
        var flow = await designer.GetFlowAsync(user, slug, ct);
        return flow is null
            ? ApiErrors.NotFound("This flow")
            : TypedResults.Json(ApiPaging.All(request, (await designer.ListFieldsAsync(user, flow.Id, ct)).Select(f => Field(request, f)).ToList()));
    }

    private static async Task<IResult> ListFieldsAsync(HttpRequest request, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct) =>
        TypedResults.Json(ApiPaging.All(request, (await designer.ListFieldsAsync(user, null, ct)).Select(f => Field(request, f)).ToList()));

    private static async Task<IResult> GetFieldAsync(Guid id, HttpRequest request, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct)
    {
        var field = await designer.GetFieldAsync(user, id, ct);
        return field is null ? ApiErrors.NotFound("This field") : TypedResults.Json(new DataResponse<FieldResource>(Field(request, field)));
    }

    private static async Task<IResult> CreateFieldAsync(ApiBody<FieldData> body, HttpRequest request, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct)
    {
        var data = body.Data;
        var errors = new List<ApiError>();
        var input = data.Over(new FieldInput(), errors);
        if (!data.FieldType.IsSet)
        {
            errors.Add(Invalid("field_type is required.", "field_type"));
        }
        var flowRef = data.Relationships.Value?["flow"]?["data"]?["id"] is JsonValue fv && fv.TryGetValue<string>(out var flowText) ? flowText : null;
        var flow = flowRef is null ? null : await designer.GetFlowAsync(user, flowRef, ct);
        if (flow is null)
        {
            errors.Add(Invalid("relationships.flow.data.id must name an existing flow.", "relationships.flow"));
        }
        ApiException.ThrowIfAny(errors, 422);
        var outcome = await designer.CreateFieldAsync(user, flow!.Id, input, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<FieldResource>(Field(request, outcome.Value!)), statusCode: 201)
            : ApiErrors.Failure(outcome, "This flow", duplicateStatus: 422, duplicateTitle: "Failed Validation");
    }

    private static async Task<IResult> UpdateFieldAsync(Guid id, ApiBody<FieldData> body, HttpRequest request, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct)
    {
        var current = await designer.GetFieldAsync(user, id, ct);
        if (current is null)
        {
            return ApiErrors.NotFound("This field");
        }
        var errors = new List<ApiError>();
        var input = body.Data.Over(FieldInput.From(current), errors);
        ApiException.ThrowIfAny(errors, 422);
        var outcome = await designer.UpdateFieldAsync(user, id, input, ct);
        return outcome.IsOk ? TypedResults.Json(new DataResponse<FieldResource>(Field(request, outcome.Value!))) : ApiErrors.Failure(outcome, "This field");
    }

    private static async Task<IResult> DeleteFieldAsync(Guid id, ClaimsPrincipal user, FieldDesigner designer, CancellationToken ct) =>
        await designer.DeleteFieldAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.NotFound("This field");

    internal static ApiError Invalid(string detail, string field) => new(422, "Failed Validation", detail, $"data.{field}");
}

public sealed record FlowData : IRequestData
{
    public static string? ResourceType => "flow";
    public static int FailureStatus => 422;

    public Optional<string> Slug { get; init; }
    public Optional<string> Name { get; init; }
    public Optional<string> Description { get; init; }
    public Optional<bool?> Enabled { get; init; }
}

public sealed record FieldData : IRequestData
{
    public static string? ResourceType => "field";
    public static int FailureStatus => 422;

    public Optional<string> Name { get; init; }
    public Optional<string> Slug { get; init; }
    public Optional<string> Description { get; init; }
    public Optional<string> FieldType { get; init; }
    public Optional<bool?> Required { get; init; }
    public Optional<bool?> Enabled { get; init; }
    public Optional<bool?> OmitNull { get; init; }
    /// <summary>Our extension: customers and storefronts may set the field (default false).</summary>
    public Optional<bool?> CustomerEditable { get; init; }
    public Optional<long?> Order { get; init; }
    public Optional<JsonNode> Default { get; init; }
    public Optional<JsonNode> ValidationRules { get; init; }
    public Optional<JsonNode> Relationships { get; init; }

    /// <summary>The fields that were sent, over <paramref name="current"/> (a partial update keeps the rest).</summary>
    public FieldInput Over(FieldInput current, List<ApiError> errors)
    {
        var input = new FieldInput
        {
            FlowSlug = current.FlowSlug,
            Name = Name.IsSet ? Name.Value ?? "" : current.Name,
            Slug = Slug.IsSet ? Slug.Value ?? "" : current.Slug,
            Description = Description.IsSet ? Description.Value ?? "" : current.Description,
            Type = current.Type,
            Required = Required.Value ?? current.Required,
            Enabled = Enabled.Value ?? current.Enabled,
            OmitNull = OmitNull.Value ?? current.OmitNull,
            CustomerEditable = CustomerEditable.Value ?? current.CustomerEditable,
            Order = Order.IsSet ? (int?)Order.Value : current.Order,
            Default = Default.IsSet ? Default.Value?.DeepClone() : current.Default,
            Rules = ValidationRules.IsSet ? FieldRulesJson.Read(ValidationRules.Value, m => errors.Add(FlowsApi.Invalid(m, "validation_rules"))) : current.Rules,
        };
        if (FieldType.IsSet)
        {
            if (Enum.TryParse<CustomFields.FieldType>(FieldType.Value, ignoreCase: true, out var parsed) && !int.TryParse(FieldType.Value, out _))
            {
                input.Type = parsed;
            }
            else
            {
                errors.Add(FlowsApi.Invalid("field_type must be string, integer, boolean, float or date.", "field_type"));
            }
        }
        return input;
    }
}

public sealed record FlowRelationships(ManyRelationship Fields);

public sealed record FlowResource(string Type, Guid Id, string Name, string Slug, string Description, bool Enabled, SelfLink Links,
    FlowRelationships Relationships, TimestampsMeta Meta);

public sealed record FieldRelationships(Relationship Flow);

public sealed record FieldResource(string Type, Guid Id, string Name, string Slug, string FieldType, JsonArray ValidationRules, string Description,
    bool Required, JsonNode? Default, bool Enabled, int Order, bool OmitNull, bool CustomerEditable, SelfLink Links, FieldRelationships Relationships,
    TimestampsMeta Meta);
