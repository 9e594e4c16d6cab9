using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.Api;
using CommerceManager.Infrastructure;
using FluentValidation;

namespace CommerceManager.Orders;

/// <summary><c>/v2/carts/:ref</c>: custom items and checkout, using <see cref="CartService"/> and <see cref="CheckoutService"/> unchanged.</summary>
public static class CartsApi
{
    public static RouteGroupBuilder MapCartsApi(this RouteGroupBuilder v2)
    {
        var carts = v2.MapGroup("/carts/{reference}").WithTags("Carts and checkout");
        carts.MapGet("", GetAsync).WithSummary("Get a cart (an unused reference is an empty cart)").Produces<JsonObject>();
        carts.MapDelete("", DeleteAsync).WithSummary("Delete a cart").Produces(204);
        carts.MapGet("/items", ItemsAsync).WithSummary("List a cart's items").Produces<JsonObject>();
        carts.MapPost("/items", AddAsync).WithSummary("Add a custom item")
            .WithDescription("{\"data\":{\"type\":\"custom_item\",\"name\",\"sku\",\"quantity\",\"price\":{\"amount\":1234}}}: amounts in minor units. The same SKU and price again adds to its quantity.")
            .Accepts<JsonObject>("application/json").Produces<JsonObject>(201).Produces<ApiErrorBody>(400);
        carts.MapPut("/items/{itemId:guid}", UpdateItemAsync).WithSummary("Change an item's quantity (0 removes it)").Produces<JsonObject>();
        carts.MapDelete("/items/{itemId:guid}", RemoveItemAsync).WithSummary("Remove an item").Produces<JsonObject>();
        carts.MapDelete("/items", RemoveAllAsync).WithSummary("Remove every item").Produces<JsonObject>();
        carts.MapPost("/checkout", CheckoutAsync).WithSummary("Check out the cart into an order")
            .WithDescription("customer {id} links the order to a registered customer (with a customer token, it must be the token's own); customer {name, email} is a guest order, never linked. billing_address and shipping_address need first_name, last_name, line_1, region, postcode and country.")
            .Accepts<JsonObject>("application/json").Produces<JsonObject>(201).Produces<ApiErrorBody>(400);
        return v2;
    }

    private static string Reference(string reference) => CartService.IsValidReference(reference)
        ? reference
        : throw new ApiException(400, "Bad Request", "A cart reference is 1–128 letters, digits, '-', '_' or '.'.");

    private static async Task<IResult> GetAsync(string reference, ClaimsPrincipal user, CartService carts, CancellationToken ct) =>
        ApiJson.Data(OrderJson.Cart(await carts.GetAsync(user, Reference(reference), ct)));

    private static async Task<IResult> DeleteAsync(string reference, ClaimsPrincipal user, CartService carts, CancellationToken ct)
    {
        await carts.DeleteAsync(user, Reference(reference), ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ItemsAsync(string reference, ClaimsPrincipal user, CartService carts, CancellationToken ct) =>
        TypedResults.Json(OrderJson.CartItems(await carts.GetAsync(user, Reference(reference), ct)));

    private static async Task<IResult> AddAsync(string reference, HttpRequest request, ClaimsPrincipal user, CartService carts,
        IValidator<CartItemInput> validator, CancellationToken ct)
    {
        var cartRef = Reference(reference);
        var data = await ApiJson.ReadDataAsync(request, ct);
        var errors = new List<ApiError>();
        var type = ApiJson.String(data, "type", errors, 400).Value;
        if (type != "custom_item")
        {
            return ApiErrors.Result(400, "Bad Request",
                "Only custom items can be added (type custom_item, with name, sku, quantity and price.amount): this store has no product catalogue.", "data.type");
        }
        var input = new CartItemInput
        {
            Type = type,
            Name = ApiJson.String(data, "name", errors, 400).Value,
            Sku = ApiJson.String(data, "sku", errors, 400).Value,
            Description = ApiJson.String(data, "description", errors, 400).Value,
            Quantity = (int)Math.Clamp(ApiJson.Integer(data, "quantity", errors, 400).Value ?? 1, int.MinValue, int.MaxValue),
            Price = data["price"] is JsonObject price ? ApiJson.Integer(price, "amount", errors, 400).Value : null,
        };
        var result = await validator.ValidateAsync(input, ct);
        errors.AddRange(ApiErrors.FromValidation(result.Errors, 400,
            p => p == nameof(CartItemInput.Price) ? "data.price.amount" : ApiJson.Source(p)));
        ApiException.ThrowIfAny(errors, 400);
        var cart = await carts.AddItemAsync(user, cartRef, input, ct);
        return TypedResults.Json(OrderJson.CartItems(cart), statusCode: 201);
    }

    private static async Task<IResult> UpdateItemAsync(string reference, Guid itemId, HttpRequest request, ClaimsPrincipal user, CartService carts, CancellationToken ct)
    {
        var data = await ApiJson.ReadDataAsync(request, ct);
        var errors = new List<ApiError>();
        var quantity = ApiJson.Integer(data, "quantity", errors, 400).Value;
        if (errors.Count > 0 || quantity is null)
        {
            return ApiErrors.Result(400, "Bad Request", "quantity is required and must be a whole number.", "data.quantity");
        }
        var cart = await carts.SetQuantityAsync(user, Reference(reference), itemId, (int)Math.Clamp(quantity.Value, -1, int.MaxValue), ct);
        return cart is null ? ApiErrors.NotFound("This cart item") : TypedResults.Json(OrderJson.CartItems(cart));
    }

    private static async Task<IResult> RemoveItemAsync(string reference, Guid itemId, ClaimsPrincipal user, CartService carts, CancellationToken ct)
    {
        var cart = await carts.RemoveItemAsync(user, Reference(reference), itemId, ct);
        return cart is null ? ApiErrors.NotFound("This cart item") : TypedResults.Json(OrderJson.CartItems(cart));
    }

    private static async Task<IResult> RemoveAllAsync(string reference, ClaimsPrincipal user, CartService carts, CancellationToken ct) =>
        TypedResults.Json(OrderJson.CartItems(await carts.RemoveAllItemsAsync(user, Reference(reference), ct)));

    private static async Task<IResult> CheckoutAsync(string reference, HttpRequest request, ClaimsPrincipal user, CheckoutService checkout,
        IValidator<CheckoutInput> validator, CancellationToken ct)
    {
        var cartRef = Reference(reference);
        var data = await ApiJson.ReadDataAsync(request, ct);
        var errors = new List<ApiError>();
        var input = new CheckoutInput();
        switch (data["customer"])
        {
            case JsonValue v when v.TryGetValue<string>(out var id):
                input.CustomerId = ParseCustomerId(id, errors);
                break;
            case JsonObject customer:
                var (idPresent, idText) = ApiJson.String(customer, "id", errors, 400);
                if (idPresent && !string.IsNullOrWhiteSpace(idText))
                {
                    input.CustomerId = ParseCustomerId(idText, errors);
                }
                input.Name = ApiJson.String(customer, "name", errors, 400).Value;
                input.Email = ApiJson.String(customer, "email", errors, 400).Value;
                break;
            case null:
                break;
            default:
                errors.Add(new ApiError(400, "Bad Request", "customer must be {\"id\"} or {\"name\",\"email\"}.", "data.customer"));
                break;
        }
        input.BillingAddress = ReadAddress(data, "billing_address", errors);
        input.ShippingAddress = ReadAddress(data, "shipping_address", errors);
        var result = await validator.ValidateAsync(input, ct);
        errors.AddRange(ApiErrors.FromValidation(result.Errors, 400,
            p => p is nameof(CheckoutInput.Name) or nameof(CheckoutInput.Email) ? $"data.customer.{p.ToLowerInvariant()}" : ApiJson.Source(p)));
        ApiException.ThrowIfAny(errors, 400);
        var outcome = await checkout.CheckoutAsync(user, cartRef, input, ct);
        return outcome.Kind switch
        {
            OutcomeKind.Ok => ApiJson.Data(OrderJson.Order(outcome.Value!), 201),
            _ => ApiErrors.Result(400, "Bad Request", outcome.Error, outcome.Field is { } f ? $"data.{f}" : null),
        };
    }

    private static Guid? ParseCustomerId(string text, List<ApiError> errors)
    {
        if (Guid.TryParse(text, out var id))
        {
            return id;
        }
        errors.Add(new ApiError(400, "Bad Request", "customer.id must be a customer id (a UUID).", "data.customer.id"));
        return null;
    }

    private static AddressInput? ReadAddress(JsonObject data, string name, List<ApiError> errors) => data[name] switch
    {
        JsonObject address => AddressesApi.Read(address, new AddressInput(), errors, name),
        null => null,
        _ => AddError(errors, name),
    };

    private static AddressInput? AddError(List<ApiError> errors, string name)
    {
        errors.Add(new ApiError(400, "Bad Request", $"{name} must be an object.", $"data.{name}"));
        return null;
    }
}
