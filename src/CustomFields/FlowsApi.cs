using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Api;
using CommerceManager.Infrastructure;
using FluentValidation;

namespace CommerceManager.CustomFields;

/// <summary><c>/v2/flows</c> and <c>/v2/fields</c> (client credentials only), as in EP.</summary>
public static class FlowsApi
{
    public static RouteGroupBuilder MapFlowsApi(this RouteGroupBuilder v2)
    {
        var flows = v2.MapGroup("/flows").WithTags("Custom fields");
        flows.MapGet("", ListFlowsAsync).WithSummary("List flows");
        flows.MapPost("", CreateFlowAsync).WithSummary("Create a flow (slug customers or addresses)").Accepts<JsonObject>("application/json");
        flows.MapGet("/{id}", GetFlowAsync).WithSummary("Get a flow by id or slug");
        flows.MapPut("/{id:guid}", UpdateFlowAsync).WithSummary("Update a flow").Accepts<JsonObject>("application/json");
        flows.MapDelete("/{id:guid}", DeleteFlowAsync).WithSummary("Delete a flow and its fields");
        flows.MapGet("/{slug}/fields", FlowFieldsAsync).WithSummary("List a flow's fields");

        var fields = v2.MapGroup("/fields").WithTags("Custom fields");
        fields.MapGet("", ListFieldsAsync).WithSummary("List fields");
        fields.MapPost("", CreateFieldAsync).WithSummary("Create a field")
            .WithDescription("{\"data\":{\"type\":\"field\",\"name\",\"slug\",\"field_type\":\"string|integer|boolean|float|date\",\"required\",\"enabled\",\"default\",\"omit_null\",\"order\",\"validation_rules\":[{\"type\":\"enum\",\"options\":[…]},{\"type\":\"email\"},{\"type\":\"slug\"},{\"type\":\"between\",\"options\":{\"from\",\"to\"}},{\"type\":\"length\",\"options\":{\"min\",\"max\"}},{\"type\":\"regex\",\"options\":{\"pattern\"}}],\"relationships\":{\"flow\":{\"data\":{\"type\":\"flow\",\"id\"}}}}}")
            .Accepts<JsonObject>("application/json");
        fields.MapGet("/{id:guid}", GetFieldAsync).WithSummary("Get a field");
        fields.MapPut("/{id:guid}", UpdateFieldAsync).WithSummary("Update a field (not its type or slug)").Accepts<JsonObject>("application/json");
        fields.MapDelete("/{id:guid}", DeleteFieldAsync).WithSummary("Delete a field");
        return v2;
    }

    public static JsonObject FlowJson(FlowDto f) => new()
    {
        ["type"] = "flow",
        ["id"] = f.Id.ToString(),
        ["name"] = f.Name,
        ["slug"] = f.Slug,
        ["description"] = f.Description,
        ["enabled"] = f.Enabled,
        ["links"] = new JsonObject { ["self"] = $"/v2/flows/{f.Id}" },
        ["relationships"] = new JsonObject
        {
            ["fields"] = new JsonObject { ["data"] = new JsonArray(f.FieldIds.Select(id => (JsonNode)new JsonObject { ["type"] = "field", ["id"] = id.ToString() }).ToArray()) },
        },
        ["meta"] = new JsonObject { ["timestamps"] = ApiJson.Timestamps(f.CreatedAt, f.UpdatedAt) },
    };

    public static JsonObject FieldJson(FieldDefinition f) => new()
    {
        ["type"] = "field",
        ["id"] = f.Id.ToString(),
        ["name"] = f.Name,
        ["slug"] = f.Slug,
        ["field_type"] = FieldDefinition.TypeName(f.Type),
        ["validation_rules"] = RulesJson(f.Rules),
        ["description"] = f.Description,
        ["required"] = f.Required,
        ["default"] = f.Default?.DeepClone(),
        ["enabled"] = f.Enabled,
        ["order"] = f.Order,
        ["omit_null"] = f.OmitNull,
        ["links"] = new JsonObject { ["self"] = $"/v2/fields/{f.Id}" },
        ["relationships"] = new JsonObject { ["flow"] = new JsonObject { ["data"] = new JsonObject { ["type"] = "flow", ["id"] = f.FlowId.ToString() } } },
        ["meta"] = new JsonObject { ["timestamps"] = ApiJson.Timestamps(f.CreatedAt, f.UpdatedAt) },
    };

    private static JsonArray RulesJson(FieldRules r)
    {
        var rules = new JsonArray();
        if (r.Enum is { Count: > 0 })
        {
            rules.Add(new JsonObject { ["type"] = "enum", ["options"] = new JsonArray(r.Enum.Select(o => o?.DeepClone()).ToArray()) });
        }
        if (r.Email)
        {
            rules.Add(new JsonObject { ["type"] = "email" });
        }
        if (r.Slug)
        {
            rules.Add(new JsonObject { ["type"] = "slug" });
        }
        if (r.From is not null || r.To is not null)
        {
            rules.Add(new JsonObject { ["type"] = "between", ["options"] = new JsonObject { ["from"] = r.From, ["to"] = r.To } });
        }
        if (r.MinLength is not null || r.MaxLength is not null)
        {
            rules.Add(new JsonObject { ["type"] = "length", ["options"] = new JsonObject { ["min"] = r.MinLength, ["max"] = r.MaxLength } });
        }
        if (r.Pattern is not null)
        {
            rules.Add(new JsonObject { ["type"] = "regex", ["options"] = new JsonObject { ["pattern"] = r.Pattern } });
        }
        return rules;
    }

    private static FieldRules ReadRules(JsonNode? node, List<ApiError> errors)
    {
        if (node is null)
        {
            return new FieldRules();
        }
        if (node is not JsonArray array)
        {
            errors.Add(Invalid("validation_rules must be a list of rules.", "validation_rules"));
            return new FieldRules();
        }
        var rules = new FieldRules();
        foreach (var item in array)
        {
            var type = (item as JsonObject)?["type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
            var options = (item as JsonObject)?["options"];
            switch (type)
            {
                case "enum" when options is JsonArray list:
                    rules = rules with { Enum = list.Select(o => o?.DeepClone()).ToList() };
                    break;
                case "email":
                    rules = rules with { Email = true };
                    break;
                case "slug":
                    rules = rules with { Slug = true };
                    break;
                case "between" when options is JsonObject between:
                    rules = rules with { From = Number(between["from"]), To = Number(between["to"]) };
                    break;
                case "length" when options is JsonObject length:
                    rules = rules with { MinLength = (int?)Number(length["min"]), MaxLength = (int?)Number(length["max"]) };
                    break;
                case "regex" when options is JsonObject regex && regex["pattern"] is JsonValue p && p.TryGetValue<string>(out var pattern):
                    rules = rules with { Pattern = pattern };
                    break;
                case "regex" when options is JsonValue p2 && p2.TryGetValue<string>(out var pattern2):
                    rules = rules with { Pattern = pattern2 };
                    break;
                default:
                    errors.Add(Invalid($"Unknown or malformed validation rule {item?.ToJsonString()}: use enum, email, slug, between, length or regex.", "validation_rules"));
                    break;
            }
        }
        return rules;
    }

    private static double? Number(JsonNode? node) => FieldValues.TryNumber(node, out var d) ? d : null;

    private static ApiError Invalid(string detail, string field) => new(422, "Failed Validation", detail, $"data.{field}");

    /// <summary>Reads a field body over <paramref name="current"/> (partial on update).</summary>
    private static FieldInput ReadField(JsonObject data, FieldInput current, List<ApiError> errors)
    {
        var name = ApiJson.String(data, "name", errors, 422);
        var slug = ApiJson.String(data, "slug", errors, 422);
        var description = ApiJson.String(data, "description", errors, 422);
        var type = ApiJson.String(data, "field_type", errors, 422);
        var input = new FieldInput
        {
            Name = name.Present ? name.Value ?? "" : current.Name,
            Slug = slug.Present ? slug.Value ?? "" : current.Slug,
            Description = description.Present ? description.Value ?? "" : current.Description,
            Type = current.Type,
            Required = Bool(data, "required", current.Required, errors),
            Enabled = Bool(data, "enabled", current.Enabled, errors),
            OmitNull = Bool(data, "omit_null", current.OmitNull, errors),
            Order = data.ContainsKey("order") ? (int?)ApiJson.Integer(data, "order", errors, 422).Value : current.Order,
            Default = data.TryGetPropertyValue("default", out var d) ? d?.DeepClone() : current.Default,
            Rules = data.ContainsKey("validation_rules") ? ReadRules(data["validation_rules"], errors) : current.Rules,
        };
        if (type.Present)
        {
            if (Enum.TryParse<FieldType>(type.Value, ignoreCase: true, out var parsed) && !int.TryParse(type.Value, out _))
            {
                input.Type = parsed;
            }
            else
            {
                errors.Add(Invalid("field_type must be string, integer, boolean, float or date.", "field_type"));
            }
        }
        return input;
    }

    private static bool Bool(JsonObject data, string name, bool fallback, List<ApiError> errors)
    {
        if (!data.TryGetPropertyValue(name, out var node) || node is null)
        {
            return fallback;
        }
        if (node is JsonValue v && v.TryGetValue<bool>(out var b))
        {
            return b;
        }
        errors.Add(Invalid($"{name} must be true or false.", name));
        return fallback;
    }

    /// <summary>Runs a designer change, turning its refusals into EP 422 errors that name the API field.</summary>
    private static async Task<T> Designer<T>(Func<Task<T>> change)
    {
        try
        {
            return await change();
        }
        catch (ValidationException ex)
        {
            throw ApiException.Many(422, ApiErrors.FromValidation(ex.Errors, 422, p => "data." + (p switch
            {
                _ when p.StartsWith("Rules", StringComparison.Ordinal) => "validation_rules",
                "Type" => "field_type",
                "Flow" => "relationships.flow",
                _ => ApiJson.Snake(p),
            })).ToList());
        }
    }

    private static async Task<IResult> ListFlowsAsync(HttpRequest request, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Reading flows");
        var flows = (await service.ListFlowsAsync(user, ct)).Select(f => (JsonNode)FlowJson(f)).ToList();
        return TypedResults.Json(ApiPaging.Envelope(request, flows, flows.Count, new PageRequest(Math.Max(1, flows.Count), 0)));
    }

    private static async Task<IResult> GetFlowAsync(string id, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Reading flows");
        var flow = await service.GetFlowAsync(user, id, ct);
        return flow is null ? ApiErrors.NotFound("This flow") : ApiJson.Data(FlowJson(flow));
    }

    private static async Task<IResult> CreateFlowAsync(HttpRequest request, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Creating flows");
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "flow", 422);
        var errors = new List<ApiError>();
        var input = new FlowInput
        {
            Slug = ApiJson.String(data, "slug", errors, 422).Value,
            Name = ApiJson.String(data, "name", errors, 422).Value,
            Description = ApiJson.String(data, "description", errors, 422).Value,
            Enabled = Bool(data, "enabled", true, errors),
        };
        ApiException.ThrowIfAny(errors, 422);
        var outcome = await Designer(() => service.CreateFlowAsync(user, input, ct));
        return outcome.IsOk ? ApiJson.Data(FlowJson(outcome.Value!), 201) : ApiErrors.Result(409, "Conflict", outcome.Error, "data.slug");
    }

    private static async Task<IResult> UpdateFlowAsync(Guid id, HttpRequest request, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Changing flows");
        var current = await service.GetFlowAsync(user, id.ToString(), ct);
        if (current is null)
        {
            return ApiErrors.NotFound("This flow");
        }
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "flow", 422);
        var errors = new List<ApiError>();
        var input = new FlowInput
        {
            Slug = ApiJson.String(data, "slug", errors, 422).Value,
            Name = ApiJson.String(data, "name", errors, 422).Value,
            Description = ApiJson.String(data, "description", errors, 422).Value,
            Enabled = Bool(data, "enabled", current.Enabled, errors),
        };
        ApiException.ThrowIfAny(errors, 422);
        var outcome = await Designer(() => service.UpdateFlowAsync(user, id, input, ct));
        return outcome.IsOk ? ApiJson.Data(FlowJson(outcome.Value!)) : ApiErrors.NotFound("This flow");
    }

    private static async Task<IResult> DeleteFlowAsync(Guid id, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Deleting flows");
        return await service.DeleteFlowAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.NotFound("This flow");
    }

    private static async Task<IResult> FlowFieldsAsync(string slug, HttpRequest request, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Reading fields");
        var flow = await service.GetFlowAsync(user, slug, ct);
        if (flow is null)
        {
            return ApiErrors.NotFound("This flow");
        }
        var fields = (await service.ListFieldsAsync(user, flow.Id, ct)).Select(f => (JsonNode)FieldJson(f)).ToList();
        return TypedResults.Json(ApiPaging.Envelope(request, fields, fields.Count, new PageRequest(Math.Max(1, fields.Count), 0)));
    }

    private static async Task<IResult> ListFieldsAsync(HttpRequest request, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Reading fields");
        var fields = (await service.ListFieldsAsync(user, null, ct)).Select(f => (JsonNode)FieldJson(f)).ToList();
        return TypedResults.Json(ApiPaging.Envelope(request, fields, fields.Count, new PageRequest(Math.Max(1, fields.Count), 0)));
    }

    private static async Task<IResult> GetFieldAsync(Guid id, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Reading fields");
        var field = await service.GetFieldAsync(user, id, ct);
        return field is null ? ApiErrors.NotFound("This field") : ApiJson.Data(FieldJson(field));
    }

    private static async Task<IResult> CreateFieldAsync(HttpRequest request, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Creating fields");
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "field", 422);
        var errors = new List<ApiError>();
        var input = ReadField(data, new FieldInput(), errors);
        if (!data.ContainsKey("field_type"))
        {
            errors.Add(Invalid("field_type is required.", "field_type"));
        }
        var flowRef = data["relationships"]?["flow"]?["data"]?["id"] is JsonValue fv && fv.TryGetValue<string>(out var flowText) ? flowText : null;
        var flow = flowRef is null ? null : await service.GetFlowAsync(user, flowRef, ct);
        if (flow is null)
        {
            errors.Add(Invalid("relationships.flow.data.id must name an existing flow.", "relationships.flow"));
        }
        ApiException.ThrowIfAny(errors, 422);
        var outcome = await Designer(() => service.CreateFieldAsync(user, flow!.Id, input, ct));
        return outcome.Kind switch
        {
            OutcomeKind.Ok => ApiJson.Data(FieldJson(outcome.Value!), 201),
            OutcomeKind.Duplicate => ApiErrors.Result(422, "Failed Validation", outcome.Error, "data.slug"),
            _ => ApiErrors.NotFound("This flow"),
        };
    }

    private static async Task<IResult> UpdateFieldAsync(Guid id, HttpRequest request, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Changing fields");
        var current = await service.GetFieldAsync(user, id, ct);
        if (current is null)
        {
            return ApiErrors.NotFound("This field");
        }
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "field", 422);
        var errors = new List<ApiError>();
        var input = ReadField(data, FieldInput.From(current), errors);
        ApiException.ThrowIfAny(errors, 422);
        var outcome = await Designer(() => service.UpdateFieldAsync(user, id, input, ct));
        return outcome.IsOk ? ApiJson.Data(FieldJson(outcome.Value!)) : ApiErrors.NotFound("This field");
    }

    private static async Task<IResult> DeleteFieldAsync(Guid id, ClaimsPrincipal user, CustomFieldService service, CancellationToken ct)
    {
        user.RequireClientCredentials("Deleting fields");
        return await service.DeleteFieldAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.NotFound("This field");
    }
}
