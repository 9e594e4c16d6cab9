using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CommerceManager.Accounts;
using CommerceManager.Addresses;
using CommerceManager.Api.Wire;
using CommerceManager.CustomFields;
using CommerceManager.Querying;

namespace CommerceManager.Api.Endpoints;

/// <summary>
/// EP's Account Management accounts: <c>/v2/accounts</c> with their tags, memberships and addresses, and
/// <c>/v2/account-tags</c>. Client credentials reach every account; an implicit token with a member's account token
/// reads its own account (and changes it, and its addresses, as EP's permissions and the store's self-management allow).
/// </summary>
public static class AccountsApi
{
    public const string AccountNotFound = "account not found";

    public static RouteGroupBuilder MapAccountsApi(this RouteGroupBuilder v2)
    {
        // EP answers account validation with 400 ("Validation failed: …").
        var accounts = v2.MapGroup("/accounts").WithTags("Accounts").ValidationErrors(400).RequireRateLimiting(StoreReadGate.Policy);
        accounts.MapGet("", ListAsync).WithSummary("List accounts")
            .WithDescription("Client credentials: every account, with filter= eq/like on name, legal_name, registration_id, external_ref; eq/gt/ge/lt/le/in on id; " +
                "dates; eq/in on parent_id; contains(account_tags,<tag id>); sort= created_at, updated_at, name, id (- for descending; newest first by default). " +
                "With a member's account token: that account.")
            .Produces<ListResponse<AccountResource>>().Produces<ApiErrorBody>(400);
        accounts.MapGet("/{id:guid}", GetAsync).WithSummary("Get an account (a member's token: its own)")
            .Produces<AccountResponse>().Produces<ApiErrorBody>(404);
        accounts.MapPut("/{id:guid}", UpdateAsync).WithSummary("Update an account (partial; parent_id cannot change)")
            .WithDescription("Client credentials; or a member's token for its own account when account_member_self_management is update_only (name and legal_name).")
            .Produces<AccountResponse>().Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(409);
        accounts.MapGet("/{id:guid}/relationships/account-tags", TagsAsync).WithSummary("An account's tags").Produces<TagRelationshipsResponse>();

        var server = accounts.MapGroup("").RequireAuthorization(ApiSetup.ClientCredentials);
        server.MapPost("", CreateAsync).WithSummary("Create an account (client credentials)")
            .WithDescription("{\"data\":{\"type\":\"account\",\"name\",\"legal_name\"?,\"registration_id\"? (unique),\"external_ref\"?,\"parent_id\"? (set once)}}")
            .Produces<AccountResponse>(201).Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(409);
        server.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete an account (client credentials; refused while it has child accounts)")
            .Produces(204).Produces<ApiErrorBody>(404).Produces<ApiErrorBody>(409);
        server.MapPost("/{id:guid}/relationships/account-tags", AddTagsAsync).WithSummary("Tag an account (client credentials)")
            .WithDescription("{\"data\":[{\"type\":\"account_tag\",\"id\"}]}").Produces<TagRelationshipsResponse>();
        server.MapDelete("/{id:guid}/relationships/account-tags", RemoveTagsAsync).WithSummary("Untag an account (client credentials)")
            .Produces<TagRelationshipsResponse>();

        var memberships = accounts.MapGroup("/{accountId:guid}/account-memberships").WithTags("Account memberships");
        memberships.MapGet("", MembershipsAsync).WithSummary("List an account's memberships (include=account_member adds the members)")
            .Produces<ListResponse<MembershipResource>>().Produces<ApiErrorBody>(404);
        memberships.MapGet("/{id:guid}", MembershipAsync).WithSummary("Get a membership").Produces<DataResponse<MembershipResource>>().Produces<ApiErrorBody>(404);
        var manageMemberships = memberships.MapGroup("").RequireAuthorization(ApiSetup.ClientCredentials);
        manageMemberships.MapGet("/unassigned-account-members", UnassignedAsync)
            .WithSummary("The realm's members not in this account (client credentials; filter on name, email)").Produces<ListResponse<AccountMemberResource>>();
        manageMemberships.MapPost("", AddMembershipAsync).WithSummary("Add a member to an account (client credentials)")
            .WithDescription("{\"data\":{\"type\":\"account_membership\",\"account_member_id\"}}: 409 when it is a member already.")
            .Produces<DataResponse<MembershipResource>>(201).Produces<ApiErrorBody>(409);
        manageMemberships.MapDelete("/{id:guid}", RemoveMembershipAsync).WithSummary("Remove a member from an account (client credentials; its tokens for it end)")
            .Produces(204).Produces<ApiErrorBody>(404);

        var addresses = accounts.MapGroup("/{accountId:guid}/addresses").WithTags("Account addresses");
        addresses.MapGet("", AddressesAsync).WithSummary("List an account's addresses").Produces<ListResponse<AccountAddressResource>>().Produces<ApiErrorBody>(404);
        addresses.MapGet("/{addressId:guid}", AddressAsync).WithSummary("Get an account address").Produces<DataResponse<AccountAddressResource>>().Produces<ApiErrorBody>(404);
        addresses.MapPost("", CreateAddressAsync).WithSummary("Add an account address")
            .WithDescription("first_name, last_name, line_1, postcode, country, and a county or a region (EP's storefronts leave county out).")
            .Produces<DataResponse<AccountAddressResource>>(201).Produces<ApiErrorBody>(400);
        addresses.MapPut("/{addressId:guid}", UpdateAddressAsync).WithSummary("Update an account address (partial)")
            .Produces<DataResponse<AccountAddressResource>>().Produces<ApiErrorBody>(400);
        addresses.MapDelete("/{addressId:guid}", DeleteAddressAsync).WithSummary("Delete an account address").Produces(204).Produces<ApiErrorBody>(404);

        var tags = v2.MapGroup("/account-tags").WithTags("Account tags").ValidationErrors(400).RequireAuthorization(ApiSetup.ClientCredentials);
        tags.MapGet("", ListTagsAsync).WithSummary("List account tags (client credentials)").Produces<ListResponse<AccountTagResource>>();
        tags.MapGet("/{id:guid}", GetTagAsync).WithSummary("Get an account tag (client credentials)").Produces<DataResponse<AccountTagResource>>();
        tags.MapPost("", CreateTagAsync).WithSummary("Create an account tag (client credentials)").Produces<DataResponse<AccountTagResource>>(201);
        tags.MapPut("/{id:guid}", UpdateTagAsync).WithSummary("Update an account tag (client credentials)").Produces<DataResponse<AccountTagResource>>();
        tags.MapDelete("/{id:guid}", DeleteTagAsync).WithSummary("Delete an account tag (client credentials)").Produces(204);
        return v2;
    }

    // Accounts ---------------------------------------------------------------------------------------------------------

    internal static AccountResource Resource(HttpRequest request, AccountDto a, IReadOnlyList<FieldDefinition> fields)
    {
        var relationships = a.ParentId is null && a.TagIds.Count == 0 ? null : new AccountRelationships
        {
            Parent = a.ParentId is { } parent ? new Relationship(new ResourceRef("account", parent.ToString())) : null,
            Ancestors = a.ParentId is null ? null : a.Ancestors.Select(id => new Relationship(new ResourceRef("account", id.ToString()))).ToList(),
            AccountTags = a.TagIds.Count == 0 ? null : new ManyRelationship(a.TagIds.Select(id => new ResourceRef("account_tag", id.ToString())).ToList()),
        };
        return new AccountResource(a.Id, "account", a.Name, a.LegalName, a.RegistrationId, a.ExternalRef, a.ParentId,
            TimestampsMeta.Of(a.CreatedAt, a.UpdatedAt), relationships, ApiLinks.Self(request, $"/v2/accounts/{a.Id}"))
        {
            Custom = CustomFieldsJson.Write(fields, a.CustomData),
        };
    }

    private static AccountResponse Single(HttpRequest request, AccountDto a, IReadOnlyList<FieldDefinition> fields) =>
        new(Resource(request, a, fields), ApiLinks.Self(request, $"/v2/accounts/{a.Id}"));

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, AccountService accounts, CustomFieldValues customFields, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var result = await accounts.ListAsync(user, new AccountQuery(request.Query["filter"].ToString(), request.Query["sort"].ToString(), page.Offset, page.Limit), ct);
        var fields = await customFields.FieldsAsync(Flow.Accounts, ct);
        return TypedResults.Json(ApiPaging.List(request, result.Items.Select(a => Resource(request, a, fields)).ToList(), result.Total, page));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpRequest request, ClaimsPrincipal user, AccountService accounts, CustomFieldValues customFields,
        CancellationToken ct) =>
        await accounts.GetAsync(user, id, ct) is { } account ? TypedResults.Json(Single(request, account, await customFields.FieldsAsync(Flow.Accounts, ct))) : NotFound();

    internal static IResult NotFound() => ApiErrors.Result(404, "Not Found", AccountNotFound);

    private static async Task<IResult> CreateAsync(ApiBody<AccountData> body, HttpRequest request, ClaimsPrincipal user, AccountService accounts,
        CustomFieldValues customFields, CancellationToken ct)
    {
        var data = body.Data;
        var fields = await customFields.FieldsAsync(Flow.Accounts, ct);
        Guid? parent = null;
        if (data.ParentId.Value is { Length: > 0 } parentText)
        {
            parent = Guid.TryParse(parentText, out var parsed)
                ? parsed
                : throw new ApiException(400, "Bad Request", "parent_id must be an account id (a UUID).", "data.parent_id");
        }
        var outcome = await accounts.CreateAsync(user, new AccountInput
        {
            Name = data.Name.Value ?? "", LegalName = data.LegalName.Value, RegistrationId = data.RegistrationId.Value, ExternalRef = data.ExternalRef.Value,
            ParentId = parent, Custom = CustomFieldsJson.Read(data.Custom, fields),
        }, ct);
        return outcome.IsOk
            ? TypedResults.Json(Single(request, outcome.Value!, fields), statusCode: 201)
            : outcome.Error == AccountService.NoParent ? ApiErrors.Result(404, "Not Found", AccountNotFound + ": " + AccountService.NoParent, "data.parent_id")
            : ApiErrors.Failure(outcome, "This account");
    }

    private static async Task<IResult> UpdateAsync(Guid id, ApiBody<AccountData> body, HttpRequest request, ClaimsPrincipal user, AccountService accounts,
        CustomFieldValues customFields, CancellationToken ct)
    {
        var current = await accounts.GetAsync(user, id, ct);
        if (current is null)
        {
            return NotFound();
        }
        var data = body.Data;
        var fields = await customFields.FieldsAsync(Flow.Accounts, ct);
        if (data.ParentId.IsSet && data.ParentId.Value != current.ParentId?.ToString())
        {
            return ApiErrors.Result(400, "Bad Request", "parent_id is set when an account is created and cannot change.", "data.parent_id");
        }
        var outcome = await accounts.UpdateAsync(user, id, new AccountInput
        {
            Name = data.Name.IsSet ? data.Name.Value ?? "" : current.Name,
            LegalName = data.LegalName.Or(current.LegalName),
            RegistrationId = data.RegistrationId.Or(current.RegistrationId),
            ExternalRef = data.ExternalRef.Or(current.ExternalRef),
            Custom = CustomFieldsJson.Read(data.Custom, fields),
        }, current.Version, ct);
        return outcome.IsOk ? TypedResults.Json(Single(request, outcome.Value!, fields)) : outcome.Kind == Common.OutcomeKind.NotFound ? NotFound() : ApiErrors.Failure(outcome, "This account");
    }

    private static async Task<IResult> DeleteAsync(Guid id, ClaimsPrincipal user, AccountService accounts, CancellationToken ct)
    {
        var outcome = await accounts.DeleteAsync(user, id, ct);
        return outcome.IsOk ? TypedResults.NoContent()
            : outcome.Kind == Common.OutcomeKind.NotFound ? NotFound()
            : ApiErrors.Result(409, "Conflict", outcome.Error);
    }

    private static TagRelationshipsResponse Tags(HttpRequest request, Guid id, IReadOnlyList<Guid> tags) =>
        new(tags.Select(t => new ResourceRef("account_tag", t.ToString())).ToList(), ApiLinks.Self(request, $"/v2/accounts/{id}/relationships/account-tags"));

    private static async Task<IResult> TagsAsync(Guid id, HttpRequest request, ClaimsPrincipal user, AccountService accounts, CancellationToken ct) =>
        await accounts.TagsAsync(user, id, ct) is { } tags ? TypedResults.Json(Tags(request, id, tags)) : NotFound();

    private static async Task<IResult> AddTagsAsync(Guid id, HttpRequest request, ClaimsPrincipal user, AccountService accounts, CancellationToken ct)
    {
        var outcome = await accounts.AddTagsAsync(user, id, await RelationshipIds.ReadAsync(request, "account_tag", ct), ct);
        return outcome.IsOk ? TypedResults.Json(Tags(request, id, outcome.Value!)) : outcome.Kind == Common.OutcomeKind.NotFound ? NotFound() : ApiErrors.Failure(outcome, "This account");
    }

    private static async Task<IResult> RemoveTagsAsync(Guid id, HttpRequest request, ClaimsPrincipal user, AccountService accounts, CancellationToken ct)
    {
        var outcome = await accounts.RemoveTagsAsync(user, id, await RelationshipIds.ReadAsync(request, "account_tag", ct), ct);
        return outcome.IsOk ? TypedResults.Json(Tags(request, id, outcome.Value!)) : NotFound();
    }

    // Memberships -------------------------------------------------------------------------------------------------------

    internal static MembershipResource Membership(HttpRequest request, MembershipDto m, bool ofMember = false) => new(m.Id, "account_membership", m.MemberId,
        TimestampsMeta.Of(m.CreatedAt, m.UpdatedAt),
        ofMember
            ? new MembershipRelationships { Account = new Relationship(new ResourceRef("account", m.AccountId.ToString())) }
            : new MembershipRelationships { AccountMember = new Relationship(new ResourceRef("account_member", m.MemberId.ToString())) },
        ApiLinks.Self(request, $"/v2/accounts/{m.AccountId}/account-memberships/{m.Id}"));

    private static bool Includes(HttpRequest request, string what) =>
        request.Query["include"].ToString().Split(',', StringSplitOptions.TrimEntries).Contains(what, StringComparer.OrdinalIgnoreCase);

    private static async Task<IResult> MembershipsAsync(Guid accountId, HttpRequest request, ClaimsPrincipal user, MembershipService memberships, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var result = await memberships.ListAsync(user, accountId, request.Query["filter"].ToString(), page, ct);
        if (result is null)
        {
            return NotFound();
        }
        var list = ApiPaging.List(request, result.Items.Select(m => Membership(request, m)).ToList(), result.Total, page);
        return Includes(request, "account_member")
            ? TypedResults.Json(new MembershipsWithMembersResponse(list.Data, list.Links, list.Meta,
                new IncludedMembers(result.Items.DistinctBy(m => m.MemberId).Select(m => new IncludedMember(m.MemberId, "account_member", m.MemberName, m.MemberEmail)).ToList())))
            : TypedResults.Json(list);
    }

    private static async Task<IResult> MembershipAsync(Guid accountId, Guid id, HttpRequest request, ClaimsPrincipal user, MembershipService memberships,
        CancellationToken ct) =>
        await memberships.GetAsync(user, accountId, id, ct) is { } m
            ? TypedResults.Json(new MembershipResponse(Membership(request, m), ApiLinks.Self(request, $"/v2/accounts/{accountId}/account-memberships/{id}")))
            : ApiErrors.Result(404, "Not Found", "account membership not found");

    private static async Task<IResult> AddMembershipAsync(Guid accountId, ApiBody<MembershipData> body, HttpRequest request, ClaimsPrincipal user,
        MembershipService memberships, CancellationToken ct)
    {
        if (!Guid.TryParse(body.Data.AccountMemberId.Value, out var memberId))
        {
            return ApiErrors.Result(400, "Bad Request", "account_member_id is required: the id of an account member.", "data.account_member_id");
        }
        var outcome = await memberships.AddAsync(user, accountId, memberId, ct);
        return outcome.IsOk
            ? TypedResults.Json(new MembershipResponse(Membership(request, outcome.Value!), ApiLinks.Self(request, $"/v2/accounts/{accountId}/account-memberships/{outcome.Value!.Id}")),
                statusCode: 201)
            : outcome.Kind == Common.OutcomeKind.NotFound ? NotFound()
            : outcome.Kind == Common.OutcomeKind.Duplicate ? ApiErrors.Result(409, "Conflict", outcome.Error)
            : ApiErrors.Failure(outcome, "This membership", refusedStatus: 422);
    }

    private static async Task<IResult> RemoveMembershipAsync(Guid accountId, Guid id, ClaimsPrincipal user, MembershipService memberships, CancellationToken ct) =>
        await memberships.RemoveAsync(user, accountId, id, ct) ? TypedResults.NoContent() : ApiErrors.Result(404, "Not Found", "account membership not found");

    private static async Task<IResult> UnassignedAsync(Guid accountId, HttpRequest request, ClaimsPrincipal user, MembershipService memberships, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var result = await memberships.UnassignedAsync(user, accountId,
            new AccountMemberQuery(request.Query["filter"].ToString(), request.Query["sort"].ToString(), page.Offset, page.Limit), ct);
        return result is null
            ? NotFound()
            : TypedResults.Json(ApiPaging.List(request, result.Items.Select(m => AccountMembersApi.Resource(request, m)).ToList(), result.Total, page));
    }

    // Addresses ---------------------------------------------------------------------------------------------------------

    private static AccountAddressResource Address(HttpRequest request, AccountAddressDto a)
    {
        var p = a.Postal;
        return new AccountAddressResource("address", a.Id, a.Name ?? "", p.FirstName, p.LastName, p.CompanyName ?? "", p.Line1, p.Line2 ?? "", p.City ?? "",
            p.Region ?? "", p.Postcode, p.County ?? "", p.Country, p.PhoneNumber ?? "", p.Instructions ?? "", TimestampsMeta.Of(a.CreatedAt, a.UpdatedAt),
            ApiLinks.Self(request, $"/v2/accounts/{a.AccountId}/addresses/{a.Id}"), new AccountAddressRelationships(new CustomerRef(a.AccountId.ToString(), "account")));
    }

    private static async Task<IResult> AddressesAsync(Guid accountId, HttpRequest request, ClaimsPrincipal user, AccountAddressService addresses, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var result = await addresses.ListAsync(user, accountId, page, ct);
        return result is null ? NotFound() : TypedResults.Json(ApiPaging.List(request, result.Items.Select(a => Address(request, a)).ToList(), result.Total, page));
    }

    private static async Task<IResult> AddressAsync(Guid accountId, Guid addressId, HttpRequest request, ClaimsPrincipal user, AccountAddressService addresses,
        CancellationToken ct) =>
        await addresses.GetAsync(user, accountId, addressId, ct) is { } a
            ? TypedResults.Json(new DataResponse<AccountAddressResource>(Address(request, a)))
            : ApiErrors.Result(404, "Not Found", "address not found");

    private static async Task<IResult> CreateAddressAsync(Guid accountId, ApiBody<AddressData> body, HttpRequest request, ClaimsPrincipal user,
        AccountAddressService addresses, CancellationToken ct)
    {
        var outcome = await addresses.CreateAsync(user, accountId, body.Data.Over(new AddressInput()), ct);
        return outcome.IsOk ? TypedResults.Json(new DataResponse<AccountAddressResource>(Address(request, outcome.Value!)), statusCode: 201) : NotFound();
    }

    private static async Task<IResult> UpdateAddressAsync(Guid accountId, Guid addressId, ApiBody<AddressData> body, HttpRequest request, ClaimsPrincipal user,
        AccountAddressService addresses, CancellationToken ct)
    {
        var current = await addresses.GetAsync(user, accountId, addressId, ct);
        if (current is null)
        {
            return ApiErrors.Result(404, "Not Found", "address not found");
        }
        var outcome = await addresses.UpdateAsync(user, accountId, addressId, body.Data.Over(current.ToInput()), current.Version, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<AccountAddressResource>(Address(request, outcome.Value!)))
            : ApiErrors.Failure(outcome, "This address");
    }

    private static async Task<IResult> DeleteAddressAsync(Guid accountId, Guid addressId, ClaimsPrincipal user, AccountAddressService addresses, CancellationToken ct) =>
        await addresses.DeleteAsync(user, accountId, addressId, ct) ? TypedResults.NoContent() : ApiErrors.Result(404, "Not Found", "address not found");

    // Account tags ------------------------------------------------------------------------------------------------------

    private static AccountTagResource Tag(HttpRequest request, AccountTagDto t) => new(t.Id, "account_tag", t.Name, t.Description ?? "",
        TimestampsMeta.Of(t.CreatedAt, t.UpdatedAt), ApiLinks.Self(request, $"/v2/account-tags/{t.Id}"));

    private static async Task<IResult> ListTagsAsync(HttpRequest request, ClaimsPrincipal user, AccountTagService tags, CancellationToken ct) =>
        TypedResults.Json(ApiPaging.All(request, (await tags.ListAsync(user, ct)).Select(t => Tag(request, t)).ToList()));

    private static async Task<IResult> GetTagAsync(Guid id, HttpRequest request, ClaimsPrincipal user, AccountTagService tags, CancellationToken ct) =>
        await tags.GetAsync(user, id, ct) is { } tag
            ? TypedResults.Json(new DataResponse<AccountTagResource>(Tag(request, tag)))
            : ApiErrors.Result(404, "Not Found", "account tag not found");

    private static async Task<IResult> CreateTagAsync(ApiBody<AccountTagData> body, HttpRequest request, ClaimsPrincipal user, AccountTagService tags, CancellationToken ct)
    {
        var outcome = await tags.CreateAsync(user, body.Data.Name.Value ?? "", body.Data.Description.Value, ct);
        return outcome.IsOk ? TypedResults.Json(new DataResponse<AccountTagResource>(Tag(request, outcome.Value!)), statusCode: 201)
            : ApiErrors.Failure(outcome, "This account tag");
    }

    private static async Task<IResult> UpdateTagAsync(Guid id, ApiBody<AccountTagData> body, HttpRequest request, ClaimsPrincipal user, AccountTagService tags,
        CancellationToken ct)
    {
        var current = await tags.GetAsync(user, id, ct);
        if (current is null)
        {
            return ApiErrors.Result(404, "Not Found", "account tag not found");
        }
        var outcome = await tags.UpdateAsync(user, id, body.Data.Name.Value ?? current.Name, body.Data.Description.Or(current.Description), ct);
        return outcome.IsOk ? TypedResults.Json(new DataResponse<AccountTagResource>(Tag(request, outcome.Value!))) : ApiErrors.Failure(outcome, "This account tag");
    }

    private static async Task<IResult> DeleteTagAsync(Guid id, ClaimsPrincipal user, AccountTagService tags, CancellationToken ct) =>
        await tags.DeleteAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.Result(404, "Not Found", "account tag not found");
}

/// <summary>
/// The ids of a relationship body: EP's <c>{"data":[{"type","id"}]}</c>, or the bare array EP's core starter posts.
/// </summary>
internal static class RelationshipIds
{
    public static async Task<IReadOnlyList<Guid>> ReadAsync(HttpRequest request, string type, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            throw new ApiException(415, "Unsupported Media Type", ApiErrors.DetailFor(415));
        }
        System.Text.Json.Nodes.JsonNode? root;
        try
        {
            root = await System.Text.Json.Nodes.JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ApiException(400, "Bad Request", $"The request body is not valid JSON: {ex.Message}");
        }
        var items = root switch
        {
            System.Text.Json.Nodes.JsonArray array => array,
            System.Text.Json.Nodes.JsonObject { } obj when obj["data"] is System.Text.Json.Nodes.JsonArray data => data,
            _ => throw new ApiException(400, "Bad Request", $"The request body must be an array of {{\"type\":\"{type}\",\"id\"}}, or {{\"data\": [ … ]}}."),
        };
        var ids = new List<Guid>();
        foreach (var item in items)
        {
            if (item?["type"]?.GetValue<string>() != type)
            {
                throw new ApiException(400, "Bad Request", $"The type does not exist or is not listed as {type}", "data.type");
            }
            if (item["id"] is not System.Text.Json.Nodes.JsonValue id || !Guid.TryParse(id.ToString(), out var parsed))
            {
                throw new ApiException(400, "Bad Request", "Each item needs the id of a resource (a UUID).", "data.id");
            }
            ids.Add(parsed);
        }
        if (ids.Count == 0 || ids.Count > PageRequest.MaxLimit)
        {
            throw new ApiException(400, "Bad Request", $"Send between 1 and {PageRequest.MaxLimit} items.");
        }
        return ids;
    }
}

public sealed record AccountData : IRequestData
{
    public static string? ResourceType => "account";
    public static int FailureStatus => 400;

    public Optional<string> Name { get; init; }
    public Optional<string> LegalName { get; init; }
    public Optional<string> RegistrationId { get; init; }
    public Optional<string> ExternalRef { get; init; }
    public Optional<string> ParentId { get; init; }
    /// <summary>Everything else sent: values of the <c>accounts</c> flow's custom fields, by slug.</summary>
    [JsonExtensionData] public JsonObject? Custom { get; init; }
}

/// <summary>An account as EP returns it; values of the <c>accounts</c> flow's custom fields as top-level attributes.</summary>
public sealed record AccountResource(Guid Id, string Type, string Name, string? LegalName, string? RegistrationId, string? ExternalRef, Guid? ParentId,
    TimestampsMeta Meta, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AccountRelationships? Relationships, SelfLink Links)
{
    /// <summary>Values of custom fields, by slug, written as top-level attributes.</summary>
    [JsonExtensionData] public Dictionary<string, object?>? Custom { get; init; }
}

/// <summary>EP's account relationships: the parent, the ancestors root first (each <c>{"data": …}</c>), the tags.</summary>
public sealed record AccountRelationships
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Relationship? Parent { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<Relationship>? Ancestors { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ManyRelationship? AccountTags { get; init; }
}

public sealed record AccountResponse(AccountResource Data, SelfLink Links);

public sealed record TagRelationshipsResponse(IReadOnlyList<ResourceRef> Data, SelfLink Links);

public sealed record MembershipData : IRequestData
{
    public static string? ResourceType => "account_membership";
    public static int FailureStatus => 400;

    public Optional<string> AccountMemberId { get; init; }
}

public sealed record MembershipResource(Guid Id, string Type, Guid AccountMemberId, TimestampsMeta Meta, MembershipRelationships Relationships, SelfLink Links);

public sealed record MembershipRelationships
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Relationship? AccountMember { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Relationship? Account { get; init; }
}

public sealed record MembershipResponse(MembershipResource Data, SelfLink Links);

public sealed record MembershipsWithMembersResponse(IReadOnlyList<MembershipResource> Data, PageLinks Links, ListMeta Meta, IncludedMembers Included);

public sealed record IncludedMembers(IReadOnlyList<IncludedMember> AccountMembers);

public sealed record IncludedMember(Guid Id, string Type, string Name, string Email);

public sealed record AccountAddressResource(string Type, Guid Id, string Name, string FirstName, string LastName, string CompanyName,
    [property: JsonPropertyName("line_1")] string Line1, [property: JsonPropertyName("line_2")] string Line2, string City, string Region,
    string Postcode, string County, string Country, string PhoneNumber, string Instructions, TimestampsMeta Meta, SelfLink Links,
    AccountAddressRelationships Relationships);

/// <summary>EP's account-address relationship: <c>{"account": {"id", "type"}}</c>, without a <c>data</c> wrapper.</summary>
public sealed record AccountAddressRelationships(CustomerRef Account);

public sealed record AccountTagData : IRequestData
{
    public static string? ResourceType => "account_tag";
    public static int FailureStatus => 400;

    public Optional<string> Name { get; init; }
    public Optional<string> Description { get; init; }
}

public sealed record AccountTagResource(Guid Id, string Type, string Name, string Description, TimestampsMeta Meta, SelfLink Links);
