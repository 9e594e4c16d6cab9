using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Api;
using CommerceManager.CustomFields;
using CommerceManager.Infrastructure;
using FluentValidation;

namespace CommerceManager.Addresses;

/// <summary><c>/v2/customers/:id/addresses</c>, using <see cref="AddressService"/> unchanged.</summary>
public static class AddressesApi
{
    private static readonly (string Json, Func<AddressInput, string?> Get, Action<AddressInput, string?> Set)[] Fields =
    [
        ("name", a => a.Name, (a, v) => a.Name = v),
        ("first_name", a => a.FirstName, (a, v) => a.FirstName = v),
        ("last_name", a => a.LastName, (a, v) => a.LastName = v),
        ("company_name", a => a.CompanyName, (a, v) => a.CompanyName = v),
        ("line_1", a => a.Line1, (a, v) => a.Line1 = v),
        ("line_2", a => a.Line2, (a, v) => a.Line2 = v),
        ("city", a => a.City, (a, v) => a.City = v),
        ("region", a => a.Region, (a, v) => a.Region = v),
        ("postcode", a => a.Postcode, (a, v) => a.Postcode = v),
        ("county", a => a.County, (a, v) => a.County = v),
        ("country", a => a.Country, (a, v) => a.Country = v),
        ("phone_number", a => a.PhoneNumber, (a, v) => a.PhoneNumber = v),
        ("instructions", a => a.Instructions, (a, v) => a.Instructions = v),
    ];

    public static RouteGroupBuilder MapAddressesApi(this RouteGroupBuilder v2)
    {
        var addresses = v2.MapGroup("/customers/{customerId:guid}/addresses").WithTags("Addresses");
        addresses.MapGet("", ListAsync).WithSummary("List a customer's addresses").Produces<AddressListResponse>().Produces<ApiErrorBody>(404);
        addresses.MapGet("/{addressId:guid}", GetAsync).WithSummary("Get an address").Produces<AddressResponse>().Produces<ApiErrorBody>(404);
        addresses.MapPost("", CreateAsync).WithSummary("Add an address").Accepts<AddressRequest>("application/json")
            .Produces<AddressResponse>(201).Produces<ApiErrorBody>(400);
        addresses.MapPut("/{addressId:guid}", UpdateAsync).WithSummary("Update an address (partial)").Accepts<AddressRequest>("application/json")
            .Produces<AddressResponse>().Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(409);
        addresses.MapDelete("/{addressId:guid}", DeleteAsync).WithSummary("Delete an address").Produces(204).Produces<ApiErrorBody>(404);
        return v2;
    }

    public sealed record AddressRequest(AddressResource data);
    public sealed record AddressResponse(AddressResource data);
    public sealed record AddressListResponse(IReadOnlyList<AddressResource> data, object links, object meta);
    public sealed record AddressResource(string type, string? name, string first_name, string last_name, string? company_name, string line_1,
        string? line_2, string? city, string? region, string postcode, string county, string country, string? phone_number, string? instructions);

    public static JsonObject ToJson(AddressDto a, IReadOnlyList<FieldDefinition> fields)
    {
        var input = a.ToInput();
        var json = new JsonObject { ["type"] = "address", ["id"] = a.Id.ToString() };
        foreach (var (name, get, _) in Fields)
        {
            json[name] = get(input);
        }
        json["meta"] = new JsonObject { ["timestamps"] = ApiJson.Timestamps(a.CreatedAt, a.UpdatedAt) };
        return CustomFieldsJson.Write(json, fields, a.CustomData);
    }

    /// <summary>Reads the address fields that were sent onto <paramref name="input"/>; others keep their values.</summary>
    public static AddressInput Read(JsonObject data, AddressInput input, List<ApiError> errors, string prefix = "")
    {
        foreach (var (name, _, set) in Fields)
        {
            var (present, value) = ApiJson.String(data, name, errors, 400);
            if (present)
            {
                set(input, value);
            }
        }
        if (prefix.Length > 0)
        {
            for (var i = 0; i < errors.Count; i++)
            {
                errors[i] = errors[i] with { Source = errors[i].Source?.Replace("data.", $"data.{prefix}.", StringComparison.Ordinal) };
            }
        }
        return input;
    }

    /// <summary>Runs the address validator: one 400 error per field, with the field in <c>source</c>.</summary>
    public static async Task ValidateAsync(IValidator<AddressInput> validator, AddressInput input, List<ApiError> errors, CancellationToken ct)
    {
        var result = await validator.ValidateAsync(input, ct);
        errors.AddRange(ApiErrors.FromValidation(result.Errors, 400));
        ApiException.ThrowIfAny(errors, 400);
    }

    private static async Task<IResult> ListAsync(Guid customerId, HttpRequest request, ClaimsPrincipal user, AddressService addresses,
        CustomFieldService customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Addresses, ct);
        var page = ApiPaging.Read(request);
        var result = await addresses.ListAsync(user, customerId, page.Offset, page.Limit, ct);
        return result is null
            ? ApiErrors.NotFound("This customer")
            : TypedResults.Json(ApiPaging.Envelope(request, result.Items.Select(a => ToJson(a, fields)).ToList(), result.Total, page));
    }

    private static async Task<IResult> GetAsync(Guid customerId, Guid addressId, ClaimsPrincipal user, AddressService addresses,
        CustomFieldService customFields, CancellationToken ct)
    {
        var address = await addresses.GetAsync(user, customerId, addressId, ct);
        return address is null ? ApiErrors.NotFound("This address") : ApiJson.Data(ToJson(address, await customFields.FieldsAsync(Flow.Addresses, ct)));
    }

    private static async Task<IResult> CreateAsync(Guid customerId, HttpRequest request, ClaimsPrincipal user, AddressService addresses,
        IValidator<AddressInput> validator, CustomFieldService customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Addresses, ct);
        if (await addresses.ListAsync(user, customerId, 0, 1, ct) is null)
        {
            return ApiErrors.NotFound("This customer");
        }
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "address");
        var errors = new List<ApiError>();
        var input = Read(data, new AddressInput(), errors);
        input.Custom = CustomFieldsJson.Read(data, fields);
        await ValidateAsync(validator, input, errors, ct);
        var outcome = await addresses.CreateAsync(user, customerId, input, ct);
        return outcome.IsOk ? ApiJson.Data(ToJson(outcome.Value!, fields), 201) : ApiErrors.NotFound("This customer");
    }

    private static async Task<IResult> UpdateAsync(Guid customerId, Guid addressId, HttpRequest request, ClaimsPrincipal user,
        AddressService addresses, IValidator<AddressInput> validator, CustomFieldService customFields, CancellationToken ct)
    {
        var fields = await customFields.FieldsAsync(Flow.Addresses, ct);
        var current = await addresses.GetAsync(user, customerId, addressId, ct);
        if (current is null)
        {
            return ApiErrors.NotFound("This address");
        }
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "address");
        var errors = new List<ApiError>();
        var input = Read(data, current.ToInput(), errors);
        input.Custom = CustomFieldsJson.Read(data, fields);
        await ValidateAsync(validator, input, errors, ct);
        var outcome = await addresses.UpdateAsync(user, customerId, addressId, input, current.Version, ct);
        return outcome.Kind switch
        {
            OutcomeKind.Ok => ApiJson.Data(ToJson(outcome.Value!, fields)),
            OutcomeKind.Conflict => ApiErrors.Result(409, "Conflict", outcome.Error),
            _ => ApiErrors.NotFound("This address"),
        };
    }

    private static async Task<IResult> DeleteAsync(Guid customerId, Guid addressId, ClaimsPrincipal user, AddressService addresses, CancellationToken ct) =>
        await addresses.DeleteAsync(user, customerId, addressId, ct) ? TypedResults.NoContent() : ApiErrors.NotFound("This address");
}
