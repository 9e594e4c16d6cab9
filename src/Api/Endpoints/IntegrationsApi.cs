using System.Security.Claims;
using System.Text.Json.Serialization;
using CommerceManager.Api.Wire;
using CommerceManager.Webhooks;

namespace CommerceManager.Api.Endpoints;

/// <summary>
/// EP's Integrations API for webhooks: <c>/v2/integrations</c> and their delivery logs, with the store's secret (client
/// credentials) only. This store sends the events <see cref="WebhookEvents.Known"/> names.
/// </summary>
public static class IntegrationsApi
{
    public static RouteGroupBuilder MapIntegrationsApi(this RouteGroupBuilder v2)
    {
        var errors = (Func<string, string>)(p => "data." + (p switch
        {
            "Url" => "configuration.url",
            "SecretKey" => "configuration.secret_key",
            _ when p.StartsWith("Observes", StringComparison.Ordinal) => "observes",
            _ => ApiJson.Snake(p),
        }));
        var integrations = v2.MapGroup("/integrations").WithTags("Integrations").RequireAuthorization(ApiSetup.ClientCredentials).ValidationErrors(422, errors);
        integrations.MapGet("", ListAsync).WithSummary("List webhooks (client credentials)").Produces<ListResponse<IntegrationResource>>();
        integrations.MapPost("", CreateAsync).WithSummary("Add a webhook (client credentials; 200, as EP)")
            .WithDescription("{\"data\":{\"type\":\"integration\",\"integration_type\":\"webhook\",\"name\",\"description\"?,\"enabled\"?,\"observes\":[\"" +
                string.Join("\",\"", WebhookEvents.Known) + "\"],\"configuration\":{\"url\",\"secret_key\"?}}}: events are posted to url with " +
                "secret_key in the X-Moltin-Secret-Key header; a 2xx answer within 10 seconds succeeds, anything else is retried.")
            .Produces<DataResponse<IntegrationResource>>().Produces<ApiErrorBody>(422);
        integrations.MapGet("/logs", AllLogsAsync).WithSummary("Delivery attempts of every webhook, newest first (client credentials)")
            .Produces<ListResponse<IntegrationLogResource>>();
        integrations.MapGet("/{id:guid}", GetAsync).WithSummary("Get a webhook (client credentials)").Produces<DataResponse<IntegrationResource>>().Produces<ApiErrorBody>(404);
        integrations.MapPut("/{id:guid}", UpdateAsync).WithSummary("Change a webhook (client credentials; partial)")
            .Produces<DataResponse<IntegrationResource>>().Produces<ApiErrorBody>(404).Produces<ApiErrorBody>(422);
        integrations.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete a webhook and its logs (client credentials)").Produces(204).Produces<ApiErrorBody>(404);
        integrations.MapGet("/{id:guid}/logs", LogsAsync).WithSummary("A webhook's delivery attempts, newest first (client credentials)")
            .Produces<ListResponse<IntegrationLogResource>>().Produces<ApiErrorBody>(404);
        return v2;
    }

    private const string NotFoundDetail = "integration not found";

    private static IntegrationResource Resource(HttpRequest request, IntegrationDto i) => new(i.Id, "integration", i.Name, i.Description ?? "", i.Enabled,
        "webhook", i.Observes, new WebhookConfiguration(i.Url, i.SecretKey ?? ""), TimestampsMeta.Of(i.CreatedAt, i.UpdatedAt),
        ApiLinks.Self(request, $"/v2/integrations/{i.Id}"));

    private static IntegrationLogResource Log(IntegrationLogDto l) => new(l.Id, "integration-log", l.Succeeded, l.Attempt, l.ResponseBody ?? "",
        l.StatusCode, l.ErrorDetail ?? "", l.TriggeredBy,
        new IntegrationLogRelationships(new Relationship(new ResourceRef("integration", l.IntegrationId.ToString())),
            new Relationship(new ResourceRef("integration-job", l.JobId.ToString()))),
        TimestampsMeta.Of(l.CreatedAt, l.CreatedAt));

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, IntegrationService integrations, CancellationToken ct) =>
        TypedResults.Json(ApiPaging.All(request, (await integrations.ListAsync(user, ct)).Select(i => Resource(request, i)).ToList()));

    private static async Task<IResult> GetAsync(Guid id, HttpRequest request, ClaimsPrincipal user, IntegrationService integrations, CancellationToken ct) =>
        await integrations.GetAsync(user, id, ct) is { } found
            ? TypedResults.Json(new DataResponse<IntegrationResource>(Resource(request, found)))
            : ApiErrors.Result(404, "Not Found", NotFoundDetail);

    private static async Task<IResult> CreateAsync(ApiBody<IntegrationData> body, HttpRequest request, ClaimsPrincipal user, IntegrationService integrations,
        CancellationToken ct)
    {
        var data = body.Data;
        CheckType(data);
        var outcome = await integrations.CreateAsync(user, new IntegrationInput
        {
            Name = data.Name.Value ?? "", Description = data.Description.Value, Enabled = data.Enabled.Value ?? true, Observes = data.Observes.Value?.ToList() ?? [],
            Url = data.Configuration.Value?.Url ?? "", SecretKey = data.Configuration.Value?.SecretKey,
        }, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<IntegrationResource>(Resource(request, outcome.Value!)))
            : ApiErrors.Result(422, "Unprocessable Entity", outcome.Error);
    }

    private static async Task<IResult> UpdateAsync(Guid id, ApiBody<IntegrationData> body, HttpRequest request, ClaimsPrincipal user, IntegrationService integrations,
        CancellationToken ct)
    {
        var current = await integrations.GetAsync(user, id, ct);
        if (current is null)
        {
            return ApiErrors.Result(404, "Not Found", NotFoundDetail);
        }
        var data = body.Data;
        CheckType(data);
        var configuration = data.Configuration.Value;
        var outcome = await integrations.UpdateAsync(user, id, new IntegrationInput
        {
            Name = data.Name.IsSet ? data.Name.Value ?? "" : current.Name,
            Description = data.Description.Or(current.Description),
            Enabled = data.Enabled.Value ?? current.Enabled,
            Observes = data.Observes.Value?.ToList() ?? current.Observes.ToList(),
            Url = configuration?.Url ?? current.Url,
            SecretKey = configuration is { SecretKey: { } key } ? key : current.SecretKey,
        }, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<IntegrationResource>(Resource(request, outcome.Value!)))
            : ApiErrors.Result(404, "Not Found", NotFoundDetail);
    }

    private static async Task<IResult> DeleteAsync(Guid id, ClaimsPrincipal user, IntegrationService integrations, CancellationToken ct) =>
        await integrations.DeleteAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.Result(404, "Not Found", NotFoundDetail);

    private static async Task<IResult> AllLogsAsync(HttpRequest request, ClaimsPrincipal user, IntegrationService integrations, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var logs = await integrations.LogsAsync(user, null, page, ct);
        return TypedResults.Json(ApiPaging.List(request, logs.Items.Select(Log).ToList(), logs.Total, page));
    }

    private static async Task<IResult> LogsAsync(Guid id, HttpRequest request, ClaimsPrincipal user, IntegrationService integrations, CancellationToken ct)
    {
        if (await integrations.GetAsync(user, id, ct) is null)
        {
            return ApiErrors.Result(404, "Not Found", NotFoundDetail);
        }
        var page = ApiPaging.Read(request);
        var logs = await integrations.LogsAsync(user, id, page, ct);
        return TypedResults.Json(ApiPaging.List(request, logs.Items.Select(Log).ToList(), logs.Total, page));
    }

    private static void CheckType(IntegrationData data)
    {
        if (data.IntegrationType.IsSet && data.IntegrationType.Value != "webhook")
        {
            throw new ApiException(422, "Unprocessable Entity", "This store delivers integrations of type webhook only.", "data.integration_type");
        }
    }
}

public sealed record IntegrationData : IRequestData
{
    public static string? ResourceType => "integration";
    public static int FailureStatus => 422;

    public Optional<string> Name { get; init; }
    public Optional<string> Description { get; init; }
    public Optional<bool?> Enabled { get; init; }
    public Optional<string> IntegrationType { get; init; }
    public Optional<string[]> Observes { get; init; }
    public Optional<WebhookConfigurationData> Configuration { get; init; }
}

public sealed record WebhookConfigurationData
{
    public string? Url { get; init; }
    public string? SecretKey { get; init; }
}

public sealed record WebhookConfiguration(string Url, string SecretKey);

/// <summary>EP's integration object (type webhook): the secret key is the store's to read back, as in EP.</summary>
public sealed record IntegrationResource(Guid Id, string Type, string Name, string Description, bool Enabled, string IntegrationType,
    IReadOnlyList<string> Observes, WebhookConfiguration Configuration, TimestampsMeta Meta, SelfLink Links);

/// <summary>One delivery attempt: EP's integration log (<c>body</c> is the start of the receiver's answer).</summary>
public sealed record IntegrationLogResource(Guid Id, string Type, bool Succeeded, int Attempt, string Body,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? StatusCode, string ErrorDetail, string TriggeredBy,
    IntegrationLogRelationships Relationships, TimestampsMeta Meta);

public sealed record IntegrationLogRelationships(Relationship Integration, Relationship Job);
