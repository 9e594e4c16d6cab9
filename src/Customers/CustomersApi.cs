using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Api;
using CommerceManager.CustomFields;
using CommerceManager.Infrastructure;
using CommerceManager.Security;
using FluentValidation;

namespace CommerceManager.Customers;

/// <summary><c>/v2/customers</c> and <c>/v2/customers/tokens</c>: HTTP in, <see cref="CustomerService"/> calls, EP JSON out.</summary>
public static class CustomersApi
{
    public const string InvalidCredentials = "The email or password is not right.";

    public static RouteGroupBuilder MapCustomersApi(this RouteGroupBuilder v2)
    {
        var customers = v2.MapGroup("/customers").WithTags("Customers");
        customers.MapPost("", CreateAsync).WithSummary("Create a customer (registration)")
            .Accepts<CustomerRequest>("application/json").Produces<CustomerResponse>(201).Produces<ApiErrorBody>(409).Produces<ApiErrorBody>(422);
        customers.MapGet("", ListAsync).WithSummary("List customers (client credentials only)")
            .WithDescription("filter=eq(email,…):like(name,…*) (fields email, name, id, created_at, updated_at, external_ref), sort=name|-name|email|created_at|updated_at, page[limit], page[offset].")
            .Produces<CustomerListResponse>().Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(403);
        customers.MapGet("/{id:guid}", GetAsync).WithSummary("Get a customer").Produces<CustomerResponse>().Produces<ApiErrorBody>(404);
        customers.MapPut("/{id:guid}", UpdateAsync).WithSummary("Update a customer (partial)")
            .Accepts<CustomerRequest>("application/json").Produces<CustomerResponse>().Produces<ApiErrorBody>(409).Produces<ApiErrorBody>(422);
        customers.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete a customer").Produces(204).Produces<ApiErrorBody>(404);
        customers.MapPost("/tokens", TokenAsync).WithSummary("Get a customer token")
            .WithDescription("{\"data\":{\"type\":\"token\",\"email\",\"password\"}} or authentication_mechanism oidc with oauth_authorization_code, oauth_redirect_uri, oauth_code_verifier.")
            .Accepts<TokenRequest>("application/json").Produces<TokenResponse>().Produces<ApiErrorBody>(401).Produces<ApiErrorBody>(429);
        return v2;
    }

    // Shapes for the OpenAPI document; the handlers read and write JSON explicitly.
    public sealed record CustomerRequest(CustomerRequestData data);
    public sealed record CustomerRequestData(string type, string name, string email, string? password, string? external_ref);
    public sealed record CustomerResponse(CustomerResource data);
    public sealed record CustomerListResponse(IReadOnlyList<CustomerResource> data, object links, object meta);
    public sealed record CustomerResource(string type, Guid id, string name, string email, bool password, string? external_ref, object meta);
    public sealed record TokenRequest(TokenRequestData data);
    public sealed record TokenRequestData(string type, string? authentication_mechanism, string? email, string? password,
        string? oauth_authorization_code, string? oauth_redirect_uri, string? oauth_code_verifier);
    public sealed record TokenResponse(TokenResource data);
    public sealed record TokenResource(string type, Guid id, Guid customer_id, string token, long expires);

    public static JsonObject ToJson(CustomerDto c, IReadOnlyList<FieldDefinition> fields) => CustomFieldsJson.Write(new JsonObject
    {
        ["type"] = "customer",
        ["id"] = c.Id.ToString(),
        ["name"] = c.Name,
        ["email"] = c.Email,
        ["password"] = c.HasPassword,
        ["external_ref"] = c.ExternalRef,
        ["meta"] = new JsonObject { ["timestamps"] = ApiJson.Timestamps(c.CreatedAt, c.UpdatedAt) },
    }, fields, c.CustomData);

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal user, CustomerService customers,
        IValidator<CustomerInput> validator, CustomFieldService customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Customers, ct);
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "customer", 422);
        var errors = new List<ApiError>();
        var input = new CustomerInput
        {
            Name = ApiJson.String(data, "name", errors, 422).Value ?? "",
            Email = ApiJson.String(data, "email", errors, 422).Value ?? "",
            Password = ApiJson.String(data, "password", errors, 422).Value,
            ExternalRef = ApiJson.String(data, "external_ref", errors, 422).Value,
            Custom = CustomFieldsJson.Read(data, fields),
        };
        await ValidateAsync(validator, input, errors, ct);
        var outcome = await customers.CreateAsync(user, input, ct);
        return outcome.Kind switch
        {
            OutcomeKind.Ok => ApiJson.Data(ToJson(outcome.Value!, fields), 201),
            OutcomeKind.Duplicate => ApiErrors.Result(409, "Duplicate email", outcome.Error, "data.email"),
            _ => ApiErrors.Result(400, "Bad Request", outcome.Error),
        };
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, CustomerService customers, CustomFieldService customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Customers, ct);
        user.RequireClientCredentials("Listing customers");
        var page = ApiPaging.Read(request);
        var result = await customers.ListAsync(user,
            new CustomerQuery(request.Query["filter"].ToString(), request.Query["sort"].ToString(), page.Offset, page.Limit),
            defaultSort: "created_at", ct: ct);
        return TypedResults.Json(ApiPaging.Envelope(request, result.Items.Select(c => ToJson(c, fields)).ToList(), result.Total, page));
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, CustomerService customers, CustomFieldService customFields, CancellationToken ct)
    {
        var customer = await customers.GetAsync(user, id, ct);
        return customer is null ? ApiErrors.NotFound("This customer") : ApiJson.Data(ToJson(customer, await customFields.FieldsAsync(Flow.Customers, ct)));
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpRequest request, ClaimsPrincipal user, CustomerService customers,
        IValidator<CustomerInput> validator, CustomFieldService customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Customers, ct);
        var current = await customers.GetAsync(user, id, ct);
        if (current is null)
        {
            return ApiErrors.NotFound("This customer");
        }
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "customer", 422);
        var errors = new List<ApiError>();
        var name = ApiJson.String(data, "name", errors, 422);
        var email = ApiJson.String(data, "email", errors, 422);
        var password = ApiJson.String(data, "password", errors, 422);
        var externalRef = ApiJson.String(data, "external_ref", errors, 422);
        // PUT is partial: a field that is not sent keeps its value.
        var input = new CustomerInput
        {
            Name = name.Present ? name.Value ?? "" : current.Name,
            Email = email.Present ? email.Value ?? "" : current.Email,
            Password = password.Value,
            ExternalRef = externalRef.Present ? externalRef.Value : current.ExternalRef,
            Custom = CustomFieldsJson.Read(data, fields),
        };
        await ValidateAsync(validator, input, errors, ct);
        var outcome = await customers.UpdateAsync(user, id, input, current.Version, ct);
        return outcome.Kind switch
        {
            OutcomeKind.Ok => ApiJson.Data(ToJson(outcome.Value!, fields)),
            OutcomeKind.NotFound => ApiErrors.NotFound("This customer"),
            OutcomeKind.Duplicate => ApiErrors.Result(409, "Duplicate email", outcome.Error, "data.email"),
            _ => ApiErrors.Result(409, "Conflict", outcome.Error),
        };
    }

    private static async Task<IResult> DeleteAsync(Guid id, ClaimsPrincipal user, CustomerService customers, CancellationToken ct) =>
        await customers.DeleteAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.NotFound("This customer");

    private static async Task<IResult> TokenAsync(HttpContext context, CustomerService customers, TokenService tokens,
        TokenRateLimits limits, CommerceManager.CustomerSignIn.CustomerSignIn signIn, CancellationToken ct)
    {
        limits.CheckIp(context, "customer-tokens");
        var data = await ApiJson.ReadDataAsync(context.Request, ct);
        ApiJson.RequireType(data, "token");
        var errors = new List<ApiError>();
        var mechanism = ApiJson.String(data, "authentication_mechanism", errors, 400).Value ?? "password";
        Guid customerId;
        switch (mechanism)
        {
            case "password":
            {
                var email = ApiJson.String(data, "email", errors, 400).Value;
                var password = ApiJson.String(data, "password", errors, 400).Value;
                if (string.IsNullOrWhiteSpace(email))
                {
                    errors.Add(new ApiError(400, "Bad Request", "email is required.", "data.email"));
                }
                if (string.IsNullOrEmpty(password))
                {
                    errors.Add(new ApiError(400, "Bad Request", "password is required.", "data.password"));
                }
                ApiException.ThrowIfAny(errors, 400);
                var account = Customer.Normalize(email!);
                limits.CheckAccount(account);
                var verified = await customers.VerifyPasswordAsync(email!, password!, ct);
                if (verified is null)
                {
                    limits.RecordFailure(account);
                    return ApiErrors.Result(401, "Unauthorized", InvalidCredentials);
                }
                customerId = verified.Value;
                break;
            }
            case "oidc":
                customerId = await signIn.SignInWithOidcAsync(context.Request, data, ct);
                break;
            default:
                return ApiErrors.Result(400, "Bad Request", "authentication_mechanism must be password or oidc.", "data.authentication_mechanism");
        }
        var token = await tokens.IssueCustomerTokenAsync(customerId, mechanism, ct);
        return ApiJson.Data(new JsonObject
        {
            ["type"] = "token",
            ["id"] = token.Id.ToString(),
            ["customer_id"] = customerId.ToString(),
            ["token"] = token.Token,
            ["expires"] = token.Expires.ToUnixTimeSeconds(),
        });
    }

    private static async Task ValidateAsync(IValidator<CustomerInput> validator, CustomerInput input, List<ApiError> errors, CancellationToken ct)
    {
        var result = await validator.ValidateAsync(input, ct);
        errors.AddRange(ApiErrors.FromValidation(result.Errors, 422));
        ApiException.ThrowIfAny(errors, 422);
    }
}
