using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CommerceManager.Api.Wire;
using CommerceManager.CustomerSignIn;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Tokens;

namespace CommerceManager.Api.Endpoints;

/// <summary><c>/v2/customers</c> and <c>/v2/customers/tokens</c>: HTTP in, <see cref="CustomerService"/> calls, EP JSON out.</summary>
public static class CustomersApi
{
    public const string InvalidCredentials = "The email or password is not right.";

    public static RouteGroupBuilder MapCustomersApi(this RouteGroupBuilder v2)
    {
        var customers = v2.MapGroup("/customers").WithTags("Customers").ValidationErrors(422).RequireRateLimiting(StoreReadGate.Policy);
        customers.MapPost("", CreateAsync).WithSummary("Create a customer (registration)")
            .Produces<DataResponse<CustomerResource>>(201).Produces<ApiErrorBody>(409).Produces<ApiErrorBody>(422);
        customers.MapGet("/{id:guid}", GetAsync).WithSummary("Get a customer").Produces<DataResponse<CustomerResource>>().Produces<ApiErrorBody>(404);
        customers.MapPut("/{id:guid}", UpdateAsync).WithSummary("Update a customer (partial)")
            .Produces<DataResponse<CustomerResource>>().Produces<ApiErrorBody>(409).Produces<ApiErrorBody>(422);
        customers.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete a customer").Produces(204).Produces<ApiErrorBody>(404);
        customers.MapDelete("/tokens/current", SignOutAsync).WithSummary("End this customer token (sign out)")
            .WithDescription("Implicit token plus X-Moltin-Customer-Token: ends that customer token; other devices stay signed in.")
            .Produces(204).Produces<ApiErrorBody>(401);
        customers.MapPost("/tokens", TokenAsync).WithSummary("Get a customer token")
            .WithDescription("{\"data\":{\"type\":\"token\",\"email\",\"password\"}} or authentication_mechanism oidc with oauth_authorization_code, oauth_redirect_uri, oauth_code_verifier.")
            .Produces<DataResponse<TokenResource>>().Produces<ApiErrorBody>(401).Produces<ApiErrorBody>(429);

        customers.MapGroup("").RequireAuthorization(ApiSetup.ClientCredentials)
            .MapGet("", ListAsync).WithSummary("List customers (client credentials only)")
            .WithDescription("filter=eq(email,…):like(name,…*) (fields email, name, id, created_at, updated_at, external_ref), sort=name|email|created_at|updated_at|id (- for descending; newest first by default), page[limit], page[offset]. Keyset paging: sort=id&filter=gt(id,<last id>).")
            .Produces<ListResponse<CustomerResource>>().Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(403);
        return v2;
    }

    private static CustomerResource Resource(CustomerDto c, IReadOnlyList<FieldDefinition> fields) => new(
        "customer", c.Id, c.Name, c.Email, c.HasPassword, c.ExternalRef, TimestampsMeta.Of(c.CreatedAt, c.UpdatedAt))
    {
        Custom = CustomFieldsJson.Write(fields, c.CustomData),
    };

    private static async Task<IResult> CreateAsync(ApiBody<CustomerData> body, HttpContext context, ClaimsPrincipal user, CustomerService customers,
        CustomFieldValues customFields, ApiRateLimits limits, CancellationToken ct)
    {
        if (!user.IsClientCredentials())
        {
            // Anyone with the public client id can register: a storefront's registrations are counted per address.
            limits.CheckIp(context, "registration");
        }
        var fields = await customFields.FieldsAsync(Flow.Customers, ct);
        var data = body.Data;
        var outcome = await customers.CreateAsync(user, new CustomerInput
        {
            Name = data.Name.Value ?? "",
            Email = data.Email.Value ?? "",
            Password = data.Password.Value,
            ExternalRef = data.ExternalRef.Value,
            Custom = CustomFieldsJson.Read(data.Custom, fields),
        }, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<CustomerResource>(Resource(outcome.Value!, fields)), statusCode: 201)
            : ApiErrors.Failure(outcome, "This customer", duplicateTitle: "Duplicate email");
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, CustomerService customers, CustomFieldValues customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Customers, ct);
        var page = ApiPaging.Read(request);
        var result = await customers.ListAsync(user,
            new CustomerQuery(request.Query["filter"].ToString(), request.Query["sort"].ToString(), page.Offset, page.Limit),
            defaultSort: CustomerService.DefaultSort, ct: ct);
        return TypedResults.Json(ApiPaging.List(request, result.Items.Select(c => Resource(c, fields)).ToList(), result.Total, page));
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, CustomerService customers, CustomFieldValues customFields, CancellationToken ct)
    {
        var customer = await customers.GetAsync(user, id, ct);
        return customer is null
            ? ApiErrors.NotFound("This customer")
            : TypedResults.Json(new DataResponse<CustomerResource>(Resource(customer, await customFields.FieldsAsync(Flow.Customers, ct))));
    }

    private static async Task<IResult> UpdateAsync(Guid id, ApiBody<CustomerData> body, ClaimsPrincipal user, CustomerService customers,
        CustomFieldValues customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Customers, ct);
        var current = await customers.GetAsync(user, id, ct);
        if (current is null)
        {
            return ApiErrors.NotFound("This customer");
        }
        var data = body.Data;
        // PUT is partial: a field that is not sent keeps its value.
        var outcome = await customers.UpdateAsync(user, id, new CustomerInput
        {
            Name = data.Name.IsSet ? data.Name.Value ?? "" : current.Name,
            Email = data.Email.IsSet ? data.Email.Value ?? "" : current.Email,
            Password = data.Password.Value,
            CurrentPassword = data.CurrentPassword.Value,
            ExternalRef = data.ExternalRef.Or(current.ExternalRef),
            Custom = CustomFieldsJson.Read(data.Custom, fields),
        }, current.Version, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<CustomerResource>(Resource(outcome.Value!, fields)))
            : ApiErrors.Failure(outcome, "This customer", duplicateTitle: "Duplicate email");
    }

    private static async Task<IResult> DeleteAsync(Guid id, ClaimsPrincipal user, CustomerService customers, CancellationToken ct) =>
        await customers.DeleteAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.NotFound("This customer");

    private static async Task<IResult> SignOutAsync(ClaimsPrincipal user, TokenService tokens, CancellationToken ct)
    {
        if (Security.Access.CustomerTokenIdOf(user) is not { } tokenId)
        {
            return ApiErrors.Result(401, ApiErrors.UnauthorizedTitle, "Send the customer token to end in X-Moltin-Customer-Token.");
        }
        await tokens.EndAsync(tokenId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> TokenAsync(HttpContext context, ApiBody<TokenData> body, CustomerService customers, TokenService tokens,
        ApiRateLimits limits, OidcSignInService signIn, CancellationToken ct)
    {
        limits.CheckIp(context, "customer-tokens");
        var data = body.Data;
        var mechanism = data.AuthenticationMechanism.Value ?? "password";
        Guid customerId;
        switch (mechanism)
        {
            case "password":
            {
                var errors = new List<ApiError>();
                if (string.IsNullOrWhiteSpace(data.Email.Value))
                {
                    errors.Add(new ApiError(400, "Bad Request", "email is required.", "data.email"));
                }
                if (string.IsNullOrEmpty(data.Password.Value))
                {
                    errors.Add(new ApiError(400, "Bad Request", "password is required.", "data.password"));
                }
                ApiException.ThrowIfAny(errors, 400);
                var account = Customer.Normalize(data.Email.Value!);
                limits.CheckAccount(account);
                var verified = await customers.VerifyPasswordAsync(data.Email.Value!, data.Password.Value!, ct);
                if (verified is null)
                {
                    limits.RecordFailure(account);
                    return ApiErrors.Result(401, "Unauthorized", InvalidCredentials);
                }
                customerId = verified.Value;
                break;
            }
            case "oidc":
            {
                ApiException.ThrowIfAny(new[] { ("oauth_authorization_code", data.OauthAuthorizationCode), ("oauth_redirect_uri", data.OauthRedirectUri),
                        ("oauth_code_verifier", data.OauthCodeVerifier) }
                    .Where(f => string.IsNullOrWhiteSpace(f.Item2.Value))
                    .Select(f => new ApiError(400, "Bad Request", $"{f.Item1} is required for authentication_mechanism oidc.", $"data.{f.Item1}"))
                    .ToList(), 400);
                var outcome = await signIn.SignInAsync(context.User, new OidcCodeRedemption(data.OauthAuthorizationCode.Value, data.OauthRedirectUri.Value,
                    data.OauthCodeVerifier.Value, data.OidcProfileId.Value, data.OauthNonce.Value), ct);
                if (!outcome.IsOk)
                {
                    return ApiErrors.Failure(outcome, "This sign-in");
                }
                customerId = outcome.Value;
                break;
            }
            default:
                return ApiErrors.Result(400, "Bad Request", "authentication_mechanism must be password or oidc.", "data.authentication_mechanism");
        }
        var token = await tokens.IssueCustomerTokenAsync(customerId, mechanism, ct);
        return TypedResults.Json(new DataResponse<TokenResource>(new TokenResource("token", token.Id, customerId, token.Token, token.Expires.ToUnixTimeSeconds())));
    }
}

/// <summary>A customer as a request sends it (create, or a partial update).</summary>
public sealed record CustomerData : IRequestData
{
    public static string? ResourceType => "customer";
    public static int FailureStatus => 422;

    public Optional<string> Name { get; init; }
    public Optional<string> Email { get; init; }
    public Optional<string> Password { get; init; }
    /// <summary>With a customer token, a new password needs the current one.</summary>
    public Optional<string> CurrentPassword { get; init; }
    public Optional<string> ExternalRef { get; init; }
    /// <summary>Everything else sent: values of custom fields, by slug.</summary>
    [JsonExtensionData] public JsonObject? Custom { get; init; }
}

/// <summary>A customer as EP returns it: the password only as set / not set; custom field values as top-level attributes.</summary>
public sealed record CustomerResource(string Type, Guid Id, string Name, string Email, bool Password, string? ExternalRef, TimestampsMeta Meta)
{
    /// <summary>Values of custom fields, by slug, written as top-level attributes.</summary>
    [JsonExtensionData] public Dictionary<string, object?>? Custom { get; init; }
}

public sealed record TokenData : IRequestData
{
    public static string? ResourceType => "token";
    public static int FailureStatus => 400;

    public Optional<string> AuthenticationMechanism { get; init; }
    public Optional<string> Email { get; init; }
    public Optional<string> Password { get; init; }
    public Optional<string> OauthAuthorizationCode { get; init; }
    public Optional<string> OauthRedirectUri { get; init; }
    public Optional<string> OauthCodeVerifier { get; init; }
    public Optional<string> OidcProfileId { get; init; }
    public Optional<string> OauthNonce { get; init; }
}

public sealed record TokenResource(string Type, Guid Id, Guid CustomerId, string Token, long Expires);
