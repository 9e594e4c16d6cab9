using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CommerceManager.Addresses;
using CommerceManager.Api.Wire;
using CommerceManager.CustomFields;

namespace CommerceManager.Api.Endpoints;

/// <summary><c>/v2/customers/:id/addresses</c>, using <see cref="AddressService"/> unchanged.</summary>
public static class AddressesApi
{
    public static RouteGroupBuilder MapAddressesApi(this RouteGroupBuilder v2)
    {
        // EP answers address validation with 400, one error per field.
        var addresses = v2.MapGroup("/customers/{customerId:guid}/addresses").WithTags("Addresses").ValidationErrors(400).RequireRateLimiting(StoreReadGate.Policy);
        addresses.MapGet("", ListAsync).WithSummary("List a customer's addresses").Produces<ListResponse<AddressResource>>().Produces<ApiErrorBody>(404);
        addresses.MapGet("/{addressId:guid}", GetAsync).WithSummary("Get an address").Produces<DataResponse<AddressResource>>().Produces<ApiErrorBody>(404);
        addresses.MapPost("", CreateAsync).WithSummary("Add an address")
            .Produces<DataResponse<AddressResource>>(201).Produces<ApiErrorBody>(400);
        addresses.MapPut("/{addressId:guid}", UpdateAsync).WithSummary("Update an address (partial)")
            .Produces<DataResponse<AddressResource>>().Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(409);
        addresses.MapDelete("/{addressId:guid}", DeleteAsync).WithSummary("Delete an address").Produces(204).Produces<ApiErrorBody>(404);
        return v2;
    }

    /// <summary>EP's address: every text field a string ("" when not given), a link to itself and to its customer.</summary>
    private static AddressResource Resource(HttpRequest request, AddressDto a, IReadOnlyList<FieldDefinition> fields)
    {
        var p = a.Postal;
        return new AddressResource("address", a.Id, a.Name ?? "", p.FirstName, p.LastName, p.CompanyName ?? "", p.Line1, p.Line2 ?? "", p.City ?? "",
            p.Region ?? "", p.Postcode, p.County ?? "", p.Country, p.PhoneNumber ?? "", p.Instructions ?? "", TimestampsMeta.Of(a.CreatedAt, a.UpdatedAt),
            ApiLinks.Self(request, $"/v2/customers/{a.CustomerId}/addresses/{a.Id}"),
            new AddressRelationships(new CustomerRef(a.CustomerId.ToString(), "customer")))
        {
            Custom = CustomFieldsJson.Write(fields, a.CustomData),
        };
    }

    private static async Task<IResult> ListAsync(Guid customerId, HttpRequest request, ClaimsPrincipal user, AddressService addresses,
        CustomFieldValues customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Addresses, ct);
        var page = ApiPaging.Read(request);
        var result = await addresses.ListAsync(user, customerId, page.Offset, page.Limit, ct);
        return result is null
            ? ApiErrors.NotFound("This customer")
            : TypedResults.Json(ApiPaging.List(request, result.Items.Select(a => Resource(request, a, fields)).ToList(), result.Total, page));
    }

    private static async Task<IResult> GetAsync(Guid customerId, Guid addressId, HttpRequest request, ClaimsPrincipal user, AddressService addresses,
        CustomFieldValues customFields, CancellationToken ct)
    {
        var address = await addresses.GetAsync(user, customerId, addressId, ct);
        return address is null
            ? ApiErrors.NotFound("This address")
            : TypedResults.Json(new DataResponse<AddressResource>(Resource(request, address, await customFields.FieldsAsync(Flow.Addresses, ct))));
    }

    private static async Task<IResult> CreateAsync(Guid customerId, ApiBody<AddressData> body, HttpRequest request, ClaimsPrincipal user, AddressService addresses,
        CustomFieldValues customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Addresses, ct);
        var input = body.Data.Over(new AddressInput());
        input.Custom = CustomFieldsJson.Read(body.Data.Custom, fields);
        var outcome = await addresses.CreateAsync(user, customerId, input, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<AddressResource>(Resource(request, outcome.Value!, fields)), statusCode: 201)
            : ApiErrors.Failure(outcome, "This customer");
    }

    private static async Task<IResult> UpdateAsync(Guid customerId, Guid addressId, ApiBody<AddressData> body, HttpRequest request, ClaimsPrincipal user,
        AddressService addresses, CustomFieldValues customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Addresses, ct);
        var current = await addresses.GetAsync(user, customerId, addressId, ct);
        if (current is null)
        {
            return ApiErrors.NotFound("This address");
        }
        var input = body.Data.Over(current.ToInput());
        input.Custom = CustomFieldsJson.Read(body.Data.Custom, fields);
        var outcome = await addresses.UpdateAsync(user, customerId, addressId, input, current.Version, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<AddressResource>(Resource(request, outcome.Value!, fields)))
            : ApiErrors.Failure(outcome, "This address");
    }

    private static async Task<IResult> DeleteAsync(Guid customerId, Guid addressId, ClaimsPrincipal user, AddressService addresses, CancellationToken ct) =>
        await addresses.DeleteAsync(user, customerId, addressId, ct) ? TypedResults.NoContent() : ApiErrors.NotFound("This address");
}

/// <summary>An address as a request sends it: a customer's saved address, or a billing or shipping address at checkout.</summary>
public sealed record AddressData : IRequestData
{
    public static string? ResourceType => "address";
    public static int FailureStatus => 400;

    public Optional<string> Name { get; init; }
    public Optional<string> FirstName { get; init; }
    public Optional<string> LastName { get; init; }
    public Optional<string> CompanyName { get; init; }
    [JsonPropertyName("line_1")] public Optional<string> Line1 { get; init; }
    [JsonPropertyName("line_2")] public Optional<string> Line2 { get; init; }
    public Optional<string> City { get; init; }
    public Optional<string> Region { get; init; }
    public Optional<string> Postcode { get; init; }
    public Optional<string> County { get; init; }
    public Optional<string> Country { get; init; }
    public Optional<string> PhoneNumber { get; init; }
    public Optional<string> Instructions { get; init; }
    /// <summary>Everything else sent: values of custom fields, by slug.</summary>
    [JsonExtensionData] public JsonObject? Custom { get; init; }

    /// <summary>The fields that were sent, over <paramref name="input"/>: the others keep their values (EP's partial update).</summary>
    public AddressInput Over(AddressInput input)
    {
        input.Name = Name.Or(input.Name);
        input.FirstName = FirstName.Or(input.FirstName);
        input.LastName = LastName.Or(input.LastName);
        input.CompanyName = CompanyName.Or(input.CompanyName);
        input.Line1 = Line1.Or(input.Line1);
        input.Line2 = Line2.Or(input.Line2);
        input.City = City.Or(input.City);
        input.Region = Region.Or(input.Region);
        input.Postcode = Postcode.Or(input.Postcode);
        input.County = County.Or(input.County);
        input.Country = Country.Or(input.Country);
        input.PhoneNumber = PhoneNumber.Or(input.PhoneNumber);
        input.Instructions = Instructions.Or(input.Instructions);
        return input;
    }
}

public sealed record AddressResource(string Type, Guid Id, string Name, string FirstName, string LastName, string CompanyName,
    [property: JsonPropertyName("line_1")] string Line1, [property: JsonPropertyName("line_2")] string Line2, string City, string Region,
    string Postcode, string County, string Country, string PhoneNumber, string Instructions, TimestampsMeta Meta, SelfLink Links,
    AddressRelationships Relationships)
{
    /// <summary>Values of custom fields, by slug, written as top-level attributes.</summary>
    [JsonExtensionData] public Dictionary<string, object?>? Custom { get; init; }
}

/// <summary>EP's customer-address relationship: <c>{"customer": {"id", "type"}}</c> (EP writes this one without a <c>data</c> wrapper).</summary>
public sealed record AddressRelationships(CustomerRef Customer);

public sealed record CustomerRef(string Id, string Type);
