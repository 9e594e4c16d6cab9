using System.Security.Claims;
using System.Text.Json.Serialization;
using CommerceManager.Addresses;
using CommerceManager.Api.Wire;
using CommerceManager.CustomerSignIn;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Privacy;
using CommerceManager.Querying;

namespace CommerceManager.Api.Endpoints;

/// <summary>
/// EP's Personal Data API over our history: the change log of a resource (<c>/v2/personal-data/logs</c>), the resources
/// related to one (<c>related-data-entries</c>) and how long the log is kept (<c>/v2/settings/logs-ttl</c>). Client
/// credentials only, as EP. Each log entry keeps EP's shape; what our history holds beyond it (every field's before and
/// after, which staff member, through what) is under <c>meta</c>.
/// </summary>
public static class PersonalDataApi
{
    public const string BadFilter = "bad filter: resource_id and resource_type are the filter fields that are both mandatory and only they are allowed";

    public static RouteGroupBuilder MapPersonalDataApi(this RouteGroupBuilder v2)
    {
        var data = v2.MapGroup("/personal-data").WithTags("Personal data").RequireAuthorization(ApiSetup.ClientCredentials);
        data.MapGet("/logs", LogsAsync).WithSummary("The change log of one resource, newest first")
            .WithDescription("filter=eq(resource_type,customer|address|order|user-authentication-oidc-profile-info):eq(resource_id,<id>), both required. "
                + "Each entry's delta holds the changed fields' new values (EP); meta.changes holds each field's from and to, meta.actor who changed it and meta.channel through what (ours). "
                + "A password is recorded as set / replaced / not set, never a value.")
            .Produces<ListResponse<LogEntryResource>>().Produces<ApiErrorBody>(400);
        data.MapGet("/related-data-entries", RelatedAsync).WithSummary("The resources holding personal data related to one resource")
            .WithDescription("filter=eq(resource_type,customer):eq(resource_id,<id>): the customer, its addresses, its orders and its sign-in links.")
            .Produces<ListResponse<RelatedDataEntry>>().Produces<ApiErrorBody>(400);

        data.MapPost("/erasure-requests", EraseAsync).WithSummary("Erase a customer's personal data")
            .WithDescription("{\"data\":{\"type\":\"erasure_request\",\"resource_type\":\"customer\",\"resource_id\":\"<id>\"}}: done at once (status SUCCESS). "
                + "The customer, its addresses, custom values, sign-in links and tokens go; its orders keep their money facts with name, email and addresses blanked; "
                + "history keeps when and who without the values. Ours: \"reference\" (your ticket number) is kept with the request.")
            .Produces<DataResponse<ErasureRequestResource>>(201).Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(404);
        data.MapGet("/erasure-requests", ErasuresAsync).WithSummary("Erasure requests of one resource")
            .Produces<ListResponse<ErasureRequestResource>>().Produces<ApiErrorBody>(400);
        data.MapGet("/erasure-requests/{id:guid}", ErasureAsync).WithSummary("Get an erasure request")
            .Produces<DataResponse<ErasureRequestResource>>().Produces<ApiErrorBody>(404);
        v2.MapGet("/customers/{id:guid}/export", ExportAsync).WithTags("Personal data").RequireAuthorization(ApiSetup.ClientCredentials)
            .WithSummary("Everything the store holds about a customer, as one JSON document (ours)")
            .WithDescription("Details, custom fields, addresses, orders with items, sign-in methods and the history of changes. Not an EP route.")
            .Produces<DataResponse<object>>().Produces<ApiErrorBody>(404);
        v2.MapPost("/orders/anonymize", AnonymizeAsync).WithTags("Personal data").RequireAuthorization(ApiSetup.ClientCredentials)
            .WithSummary("Blank the personal fields of finished orders")
            .WithDescription("{\"data\":{\"order_ids\":[…]}}: each order must be fulfilled, cancelled or refunded (else 422, nothing changed). Totals, items, dates and statuses stay.")
            .Produces<DataResponse<IReadOnlyList<AnonymizedOrder>>>().Produces<ApiErrorBody>(404).Produces<ApiErrorBody>(422);

        var settings = v2.MapGroup("/settings").WithTags("Personal data").RequireAuthorization(ApiSetup.ClientCredentials);
        settings.MapGet("/logs-ttl", TtlAsync).WithSummary("How many days the change log is kept")
            .WithDescription("days is null while history is kept forever (the default, unless History__RetentionDays is set).")
            .Produces<DataResponse<LogsTtl>>();
        settings.MapPut("/logs-ttl", SetTtlAsync).WithSummary("Set how many days the change log is kept (1 to 365)")
            .Produces<DataResponse<LogsTtl>>().Produces<ApiErrorBody>(400);
        return v2;
    }

    private static (string Type, Guid Id) ReadFilter(HttpRequest request)
    {
        IReadOnlyList<FilterTerm> terms;
        try
        {
            terms = FilterLanguage.Parse(request.Query["filter"].ToString());
        }
        catch (FilterException)
        {
            throw new ApiException(400, "Bad Request", BadFilter, "filter");
        }
        var type = terms.Where(t => t is { Op: "eq", Field: "resource_type" }).Select(t => t.Value).ToList();
        var id = terms.Where(t => t is { Op: "eq", Field: "resource_id" }).Select(t => t.Value).ToList();
        if (terms.Count != 2 || type.Count != 1 || id.Count != 1)
        {
            throw new ApiException(400, "Bad Request", BadFilter, "filter");
        }
        if (!Guid.TryParse(id[0], out var resourceId))
        {
            throw new ApiException(400, "Bad Request", "resource_id must be a UUID.", "filter");
        }
        return (type[0], resourceId);
    }

    private static async Task<IResult> LogsAsync(HttpRequest request, ClaimsPrincipal user, HistoryService history, RealmService realms, CancellationToken ct)
    {
        var (type, id) = ReadFilter(request);
        var page = ApiPaging.Read(request);
        var logs = await history.LogsAsync(user, type, id, page, ct);
        var store = (await realms.GetAsync(ct)).StoreId.ToString();
        return TypedResults.Json(ApiPaging.List(request, logs.Items.Select(e => Entry(e, store)).ToList(), logs.Total, page));
    }

    private static async Task<IResult> RelatedAsync(HttpRequest request, ClaimsPrincipal user, HistoryService history, AddressService addresses,
        OrderService orders, PrivacyService privacy, CancellationToken ct)
    {
        var (type, id) = ReadFilter(request);
        var page = ApiPaging.Read(request);
        var related = (await privacy.RelatedToAccountsAsync(user, type, id, ct)).Select(r => new RelatedDataEntry(r.ResourceType, r.ResourceId.ToString())).ToList();
        if (type == "customer")
        {
            related.Add(new RelatedDataEntry("customer", id.ToString()));
            foreach (var address in (await addresses.ListAsync(user, id, 0, PageRequest.MaxLimit, ct))?.Items ?? [])
            {
                related.Add(new RelatedDataEntry("address", address.Id.ToString()));
            }
            foreach (var order in (await orders.ListAsync(user, new OrderQuery($"eq(customer_id,{id})", Limit: PageRequest.MaxLimit), ct)).Items)
            {
                related.Add(new RelatedDataEntry("order", order.Id.ToString()));
            }
        }
        foreach (var (resourceType, resourceId) in await history.RecordedResourcesAsync(user, id, ct))
        {
            related.Add(new RelatedDataEntry(resourceType, resourceId.ToString()));
        }
        var distinct = related.DistinctBy(r => (r.ResourceType, r.ResourceId)).ToList();
        return TypedResults.Json(ApiPaging.List(request, distinct.Skip(page.Offset).Take(page.Limit).ToList(), distinct.Count, page));
    }

    private static async Task<IResult> TtlAsync(ClaimsPrincipal user, HistoryService history, CancellationToken ct) =>
        TypedResults.Json(new DataResponse<LogsTtl>(new LogsTtl(await history.RetentionDaysAsync(user, ct), "time_to_live")));

    private static async Task<IResult> SetTtlAsync(ApiBody<LogsTtlInput> body, ClaimsPrincipal user, HistoryService history, CancellationToken ct)
    {
        var errors = new List<ApiError>();
        if (body.Data.Type.Value != "time_to_live")
        {
            errors.Add(new ApiError(400, "Bad Request", "Validation failed: field 'Type' on the 'ttl-type' tag: type must be time_to_live.", "data.type"));
        }
        if (!body.Data.Days.IsSet || body.Data.Days.Value is not (>= HistoryService.MinTtlDays and <= HistoryService.MaxTtlDays))
        {
            errors.Add(new ApiError(400, "Bad Request", $"days must be a whole number from {HistoryService.MinTtlDays} to {HistoryService.MaxTtlDays}.", "data.days"));
        }
        ApiException.ThrowIfAny(errors, 400);
        try
        {
            await history.SetRetentionDaysAsync(user, (int)body.Data.Days.Value!.Value, ct);
        }
        catch (FluentValidation.ValidationException floor)
        {
            throw new ApiException(400, "Bad Request", floor.Errors.First().ErrorMessage, "data.days");
        }
        return TypedResults.Json(new DataResponse<LogsTtl>(new LogsTtl((int)body.Data.Days.Value!.Value, "time_to_live")));
    }

    private static async Task<IResult> EraseAsync(ApiBody<ErasureInput> body, HttpRequest request, ClaimsPrincipal user, PrivacyService privacy, CancellationToken ct)
    {
        var data = body.Data;
        var errors = new List<ApiError>();
        if (data.Type.Value != "erasure_request")
        {
            errors.Add(new ApiError(400, "Bad Request", "The type field must be 'erasure_request'.", "data.type"));
        }
        var type = data.ResourceType.Value;
        if (type is not ("customer" or "account") && !PrivacyService.MemberTypes.Contains(type))
        {
            errors.Add(new ApiError(400, "Bad Request",
                "resource_type must be customer, account, account-member or user-authentication-info: an erasure covers the resource's addresses, orders and sign-in data.",
                "data.resource_type"));
        }
        if (!Guid.TryParse(data.ResourceId.Value, out var id))
        {
            errors.Add(new ApiError(400, "Bad Request", "resource_id must be the resource's id (a UUID).", "data.resource_id"));
        }
        ApiException.ThrowIfAny(errors, 400);
        var outcome = type switch
        {
            "customer" => await privacy.EraseCustomerAsync(user, id, data.Reference.Value, ct),
            "account" => await privacy.EraseAccountAsync(user, id, data.Reference.Value, ct),
            _ => await privacy.EraseAccountMemberAsync(user, id, data.Reference.Value, ct),
        };
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<ErasureRequestResource>(Erasure(request, outcome.Value!, withSelf: true)), statusCode: 201)
            : outcome.Kind == Common.OutcomeKind.Refused ? ApiErrors.Result(409, "Conflict", outcome.Error)
            : ApiErrors.Failure(outcome, type == "customer" ? "The customer" : type == "account" ? "The account" : "The account member");
    }

    private static async Task<IResult> ErasuresAsync(HttpRequest request, ClaimsPrincipal user, PrivacyService privacy, CancellationToken ct)
    {
        var (type, id) = ReadFilter(request);
        var page = ApiPaging.Read(request);
        var all = await privacy.ErasuresOfAsync(user, type, id, ct);
        return TypedResults.Json(ApiPaging.List(request, all.Skip(page.Offset).Take(page.Limit).Select(r => Erasure(request, r, withSelf: false)).ToList(), all.Count, page));
    }

    private static async Task<IResult> ErasureAsync(Guid id, HttpRequest request, ClaimsPrincipal user, PrivacyService privacy, CancellationToken ct) =>
        await privacy.GetErasureAsync(user, id, ct) is { } found
            ? TypedResults.Json(new DataResponse<ErasureRequestResource>(Erasure(request, found, withSelf: true)))
            : ApiErrors.NotFound("This erasure request");

    private static async Task<IResult> ExportAsync(Guid id, ClaimsPrincipal user, PrivacyService privacy, CancellationToken ct) =>
        await privacy.ExportAsync(user, id, ct) is { } export
            ? Results.Text(new System.Text.Json.Nodes.JsonObject { ["data"] = export }.ToJsonString(), "application/json")
            : ApiErrors.NotFound("This customer");

    private static async Task<IResult> AnonymizeAsync(ApiBody<AnonymizeInput> body, ClaimsPrincipal user, PrivacyService privacy, CancellationToken ct)
    {
        var ids = new List<Guid>();
        foreach (var raw in body.Data.OrderIds.Value ?? [])
        {
            if (!Guid.TryParse(raw, out var id))
            {
                throw new ApiException(400, "Bad Request", $"'{raw}' is not an order id.", "data.order_ids");
            }
            ids.Add(id);
        }
        if (ids.Count is 0 or > 100)
        {
            throw new ApiException(400, "Bad Request", "order_ids must list 1 to 100 order ids.", "data.order_ids");
        }
        var outcome = await privacy.AnonymizeOrdersAsync(user, ids, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<IReadOnlyList<AnonymizedOrder>>(outcome.Value!.Select(o => new AnonymizedOrder(o.ToString(), "order", true)).ToList()))
            : outcome.Kind == Common.OutcomeKind.Refused
                ? ApiErrors.Result(422, "Could not anonymize orders", outcome.Error)
                : ApiErrors.Failure(outcome, "An order");
    }

    private static ErasureRequestResource Erasure(HttpRequest request, ErasureRequest r, bool withSelf) => new(
        r.Id.ToString(),
        "erasure_request",
        r.ResourceType,
        r.ResourceId.ToString(),
        Initiator(r.InitiatorKind, r.InitiatorId, r.InitiatorName, r.InitiatorName, storeId: null),
        r.Status,
        r.StatusDescription,
        ApiJson.Timestamp(r.CreatedAt),
        ApiJson.Timestamp(r.UpdatedAt),
        withSelf ? new SelfLink(ApiLinks.Absolute(request, $"/v2/personal-data/erasure-requests/{r.Id}")) : null,
        new ErasureMeta(r.Reference, r.OrdersAnonymized, r.AddressesDeleted, r.HistoryEntriesCleared));

    private static LogEntryResource Entry(HistoryEntry e, string storeId) => new(
        e.Id.ToString(),
        "personal_data_log_entry",
        storeId,
        Initiator(e.ActorKind, e.ActorId, e.ActorName, e.Who, storeId),
        ApiJson.Timestamp(e.At),
        $"{e.ResourceType}.event.{e.Action}",
        e.Changes.ToDictionary(c => c.Field, c => c.To),
        e.ResourceId.ToString(),
        e.ResourceType,
        new LogRelationships(new ResourcePath(ResourcePathOf(e))),
        new LogMeta(e.Kind, e.Channel, new LogActor(e.ActorKind, e.ActorId, e.ActorName), e.Subject,
            e.Changes.ToDictionary(c => c.Field, c => new FieldFromTo(c.From, c.To))));

    /// <summary>EP's <c>initiator</c>: who acted, with hyphenated <c>access-token-*</c> keys (a staff member's email as theirs).</summary>
    private static Dictionary<string, string?> Initiator(string kind, string? id, string? name, string? displayName, string? storeId)
    {
        var initiator = new Dictionary<string, string?>
        {
            ["access-token-email"] = kind == ActorKinds.Staff ? name : null,
            ["access-token-id"] = id,
            ["access-token-name"] = displayName,
            ["access-token-type"] = kind switch
            {
                ActorKinds.Client => "client-credentials-token",
                ActorKinds.Customer => "customer-token",
                ActorKinds.AccountMember => "account-management-authentication-token",
                ActorKinds.Staff => "staff",
                _ => "system",
            },
        };
        if (storeId is not null)
        {
            initiator["access-token-store-id"] = storeId;
        }
        return initiator;
    }

    private static string ResourcePathOf(HistoryEntry e) => e.ResourceType switch
    {
        "customer" => $"/v2/customers/{e.ResourceId}",
        "address" => $"/v2/customers/{e.CustomerId}/addresses/{e.ResourceId}",
        "order" => $"/v2/orders/{e.ResourceId}",
        _ => $"/v2/customers/{e.CustomerId}",
    };
}

/// <summary>EP's <c>personal_data_log_entry</c>; <c>meta</c> is ours.</summary>
public sealed record LogEntryResource(
    string Id,
    string Type,
    string StoreId,
    IReadOnlyDictionary<string, string?> Initiator,
    string Time,
    string EventType,
    IReadOnlyDictionary<string, string?> Delta,
    string ResourceId,
    string ResourceType,
    LogRelationships Relationships,
    LogMeta Meta);

public sealed record LogRelationships(ResourcePath ResourcePath);

public sealed record ResourcePath(string Url);

/// <summary>Ours: the change's kind (details, address, order, sign-in), channel (console, api, import, system), actor and each field's before and after.</summary>
public sealed record LogMeta(string Kind, string Channel, LogActor Actor, string? Subject, IReadOnlyDictionary<string, FieldFromTo> Changes);

public sealed record LogActor(string Kind, string? Id, string? Name);

public sealed record FieldFromTo(string? From, string? To);

public sealed record RelatedDataEntry(string ResourceType, string ResourceId)
{
    public string Type => "related_data_entry";
}

public sealed record LogsTtl(int? Days, string Type);

public sealed record LogsTtlInput(Optional<long?> Days, Optional<string> Type) : IRequestData
{
    // The type is checked by the endpoint, with EP's own message.
    public static string? ResourceType => null;
    public static int FailureStatus => 400;
}

/// <summary>EP's <c>erasure_request</c>; <c>meta</c> (what was done, your reference) is ours.</summary>
public sealed record ErasureRequestResource(
    string Id,
    string Type,
    string ResourceType,
    string ResourceId,
    IReadOnlyDictionary<string, string?> Initiator,
    string Status,
    string StatusDescription,
    string CreatedAt,
    string UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SelfLink? Links,
    ErasureMeta Meta);

public sealed record ErasureMeta(string? Reference, int OrdersAnonymized, int AddressesDeleted, int HistoryEntriesCleared);

public sealed record ErasureInput(Optional<string> Type, Optional<string> ResourceType, Optional<string> ResourceId, Optional<string> Reference) : IRequestData
{
    static string? IRequestData.ResourceType => null;
    public static int FailureStatus => 400;
}

public sealed record AnonymizeInput(Optional<IReadOnlyList<string>> OrderIds) : IRequestData
{
    public static string? ResourceType => null;
    public static int FailureStatus => 400;
}

public sealed record AnonymizedOrder(string Id, string Type, bool Anonymized);
