using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.Api.Wire;
using CommerceManager.Orders;

namespace CommerceManager.Api.Endpoints;

/// <summary><c>/v2/carts/:ref</c>: custom items and checkout, using <see cref="CartService"/> and <see cref="CheckoutService"/> unchanged.</summary>
public static class CartsApi
{
    public static RouteGroupBuilder MapCartsApi(this RouteGroupBuilder v2)
    {
        v2.MapGet("/carts", ListAsync).WithTags("Carts and checkout").WithSummary("List an account's carts (its member's token; client credentials: every account's)")
            .Produces<ListResponse<CartResource>>().Produces<ApiErrorBody>(403);
        v2.MapPost("/carts", CreateAsync).WithTags("Carts and checkout").WithSummary("Create a cart (its id is chosen by the store)")
            .WithDescription("{\"data\":{\"name\",\"description\"?}} (or the bare object, as EP's core starter sends it). With a member's account token, the cart is that account's.")
            .Produces<DataResponse<CartResource>>(201);
        var carts = v2.MapGroup("/carts/{reference}").WithTags("Carts and checkout")
            .ValidationErrors(400, p => p switch
            {
                nameof(CartItemInput.Price) => "data.price.amount",
                nameof(CheckoutInput.Name) or nameof(CheckoutInput.Email) => $"data.customer.{p.ToLowerInvariant()}",
                _ => ApiJson.Source(p),
            });
        carts.MapGet("", GetAsync).WithSummary("Get a cart (an unused reference is an empty cart)").Produces<DataResponse<CartResource>>();
        carts.MapDelete("", DeleteAsync).WithSummary("Delete a cart").Produces(204);
        carts.MapGet("/items", ItemsAsync).WithSummary("List a cart's items").Produces<CartItemsResponse>();
        carts.MapPost("/items", AddAsync).WithSummary("Add a custom item")
            .WithDescription("{\"data\":{\"type\":\"custom_item\",\"name\",\"sku\",\"quantity\",\"price\":{\"amount\":1234}}}: amounts in minor units. The same SKU and price again adds to its quantity.")
            .Produces<CartItemsResponse>(201).Produces<ApiErrorBody>(400);
        carts.MapPut("/items/{itemId:guid}", UpdateItemAsync).WithSummary("Change an item's quantity (0 removes it)").Produces<CartItemsResponse>();
        carts.MapDelete("/items/{itemId:guid}", RemoveItemAsync).WithSummary("Remove an item").Produces<CartItemsResponse>();
        carts.MapDelete("/items", RemoveAllAsync).WithSummary("Remove every item").Produces<CartItemsResponse>();
        carts.MapPost("/relationships/accounts", AssociateAsync).WithSummary("Associate the cart with an account (at most one)")
            .WithDescription("[{\"type\":\"account\",\"id\"}] or {\"data\":[…]}: a member's token its own account; client credentials any. 204 when it is associated already.")
            .Produces<ManyRelationship>().Produces(204).Produces<ApiErrorBody>(403);
        carts.MapDelete("/relationships/accounts", DissociateAsync).WithSummary("End the cart's association with an account").Produces(204);
        carts.MapPost("/checkout", CheckoutAsync).WithSummary("Check out the cart into an order")
            .WithDescription("customer {id} links the order to a registered customer (with a customer token, it must be the token's own); customer {name, email} is a guest order, never linked. billing_address and shipping_address need first_name, last_name, line_1, region, postcode and country.")
            .Produces<OrderWithItemsResponse>(201).Produces<ApiErrorBody>(400);
        return v2;
    }

    private static string Reference(string reference) => CartService.IsValidReference(reference)
        ? reference
        : throw new ApiException(400, "Bad Request", "A cart reference is 1–128 letters, digits, '-', '_' or '.'.");

    private static async Task<IResult> GetAsync(string reference, HttpRequest request, ClaimsPrincipal user, CartService carts, CancellationToken ct) =>
        TypedResults.Json(new DataResponse<CartResource>(OrderJson.Cart(request, await carts.GetAsync(user, Reference(reference), ct))));

    private static async Task<IResult> DeleteAsync(string reference, ClaimsPrincipal user, CartService carts, CancellationToken ct)
    {
        await carts.DeleteAsync(user, Reference(reference), ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ItemsAsync(string reference, ClaimsPrincipal user, CartService carts, CancellationToken ct) =>
        TypedResults.Json(OrderJson.CartItems(await carts.GetAsync(user, Reference(reference), ct)));

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, CartService carts, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var result = await carts.ListAsync(user, page, ct);
        return TypedResults.Json(ApiPaging.List(request, result.Items.Select(c => OrderJson.Cart(request, c)).ToList(), result.Total, page));
    }

    /// <summary>A storefront's new carts are counted per address (any reference opens one, so one client could open any number).</summary>
    private static Action? CountNewCart(HttpContext context, ClaimsPrincipal user, ApiRateLimits limits) =>
        user.IsClientCredentials() ? null : () => limits.CheckIp(context, "new-cart");

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal user, CartService carts, ApiRateLimits limits, CancellationToken ct)
    {
        // EP's core starter posts {"name":"Cart"} without the data wrapper: take either.
        if (!request.HasJsonContentType())
        {
            throw new ApiException(415, "Unsupported Media Type", ApiErrors.DetailFor(415));
        }
        JsonNode? root;
        try
        {
            root = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ApiException(400, "Bad Request", $"The request body is not valid JSON: {ex.Message}");
        }
        var data = root?["data"] as JsonObject ?? root as JsonObject
            ?? throw new ApiException(400, "Bad Request", "The request body must be {\"data\":{\"name\": …}}.");
        static string? Text(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var cart = await carts.CreateAsync(user, Text(data, "name"), Text(data, "description"), ct, CountNewCart(request.HttpContext, user, limits));
        return TypedResults.Json(new DataResponse<CartResource>(OrderJson.Cart(request, cart)), statusCode: 201);
    }

    private static async Task<IResult> AssociateAsync(string reference, HttpRequest request, ClaimsPrincipal user, CartService carts, CancellationToken ct)
    {
        var ids = await RelationshipIds.ReadAsync(request, "account", ct);
        var outcome = await carts.AssociateAsync(user, Reference(reference), ids, ct);
        return !outcome.IsOk ? ApiErrors.Failure(outcome, "This cart")
            : outcome.Value ? TypedResults.Json(new ManyRelationship(ids.Distinct().Select(id => new ResourceRef("account", id.ToString())).ToList()))
            : TypedResults.NoContent();
    }

    private static async Task<IResult> DissociateAsync(string reference, HttpRequest request, ClaimsPrincipal user, CartService carts, CancellationToken ct)
    {
        var outcome = await carts.DissociateAsync(user, Reference(reference), await RelationshipIds.ReadAsync(request, "account", ct), ct);
        return outcome.IsOk ? TypedResults.NoContent() : ApiErrors.Failure(outcome, "This cart");
    }

    private static async Task<IResult> AddAsync(string reference, ApiBody<CartItemData> body, HttpContext context, ClaimsPrincipal user, CartService carts,
        ApiRateLimits limits, CancellationToken ct)
    {
        var cartRef = Reference(reference);
        var data = body.Data;
        if (data.Type.Value == "cart_items")
        {
            // EP's cart merge: another cart's items into this one (the core starter merges a guest cart at sign-in).
            if (data.CartId.Value is not { Length: > 0 } other)
            {
                return ApiErrors.Result(400, "Bad Request", "cart_id is required to merge a cart's items.", "data.cart_id");
            }
            return TypedResults.Json(OrderJson.CartItems(await carts.MergeAsync(user, cartRef, Reference(other), ct)), statusCode: 201);
        }
        if (data.Type.Value != "custom_item")
        {
            return ApiErrors.Result(400, "Bad Request",
                "Only custom items can be added (type custom_item, with name, sku, quantity and price.amount): this store has no product catalogue.", "data.type");
        }
        var cart = await carts.AddItemAsync(user, cartRef, new CartItemInput
        {
            Type = data.Type.Value,
            Name = data.Name.Value,
            Sku = data.Sku.Value,
            Description = data.Description.Value,
            Quantity = (int)Math.Clamp(data.Quantity.Value ?? 1, int.MinValue, int.MaxValue),
            Price = data.Price.Value?.Amount.Value,
        }, ct, CountNewCart(context, user, limits));
        return TypedResults.Json(OrderJson.CartItems(cart), statusCode: 201);
    }

    private static async Task<IResult> UpdateItemAsync(string reference, Guid itemId, ApiBody<CartItemData> body, ClaimsPrincipal user, CartService carts, CancellationToken ct)
    {
        if (body.Data.Quantity.Value is not { } quantity)
        {
            return ApiErrors.Result(400, "Bad Request", "quantity is required and must be a whole number.", "data.quantity");
        }
        var cart = await carts.SetQuantityAsync(user, Reference(reference), itemId, (int)Math.Clamp(quantity, -1, int.MaxValue), ct);
        return cart is null ? ApiErrors.NotFound("This cart item") : TypedResults.Json(OrderJson.CartItems(cart));
    }

    private static async Task<IResult> RemoveItemAsync(string reference, Guid itemId, ClaimsPrincipal user, CartService carts, CancellationToken ct)
    {
        var cart = await carts.RemoveItemAsync(user, Reference(reference), itemId, ct);
        return cart is null ? ApiErrors.NotFound("This cart item") : TypedResults.Json(OrderJson.CartItems(cart));
    }

    private static async Task<IResult> RemoveAllAsync(string reference, ClaimsPrincipal user, CartService carts, CancellationToken ct) =>
        TypedResults.Json(OrderJson.CartItems(await carts.RemoveAllItemsAsync(user, Reference(reference), ct)));

    private static async Task<IResult> CheckoutAsync(string reference, ApiBody<CheckoutData> body, ClaimsPrincipal user, CheckoutService checkout, CancellationToken ct)
    {
        var cartRef = Reference(reference);
        var data = body.Data;
        var input = new CheckoutInput
        {
            BillingAddress = data.BillingAddress.Value?.Over(new AddressInput()),
            ShippingAddress = data.ShippingAddress.Value?.Over(new AddressInput()),
            OrderNumber = data.OrderNumber.Value,
            ExternalRef = data.ExternalRef.Value,
        };
        switch (data.Customer.Value)
        {
            case JsonValue v when v.TryGetValue<string>(out var id):
                input.CustomerId = ParseCustomerId(id);
                break;
            case JsonObject customer:
                if (customer["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var idText) && !string.IsNullOrWhiteSpace(idText))
                {
                    input.CustomerId = ParseCustomerId(idText);
                }
                input.Name = customer["name"] is JsonValue n && n.TryGetValue<string>(out var name) ? name : null;
                input.Email = customer["email"] is JsonValue e && e.TryGetValue<string>(out var email) ? email : null;
                break;
            case null:
                break;
            default:
                throw new ApiException(400, "Bad Request", "customer must be {\"id\"} or {\"name\",\"email\"}.", "data.customer");
        }
        // EP's Account Management checkout: contact {name, email}, and (servers) account {id, member_id}.
        if (data.Contact.Value is JsonObject contact)
        {
            input.Name ??= contact["name"] is JsonValue n && n.TryGetValue<string>(out var name) ? name : null;
            input.Email ??= contact["email"] is JsonValue e && e.TryGetValue<string>(out var email) ? email : null;
        }
        if (data.Account.Value is JsonObject account)
        {
            input.AccountId = account["id"] is JsonValue a && a.TryGetValue<string>(out var accountText) ? ParseId(accountText, "data.account.id") : null;
            input.AccountMemberId = account["member_id"] is JsonValue m && m.TryGetValue<string>(out var memberText) && memberText.Length > 0
                ? ParseId(memberText, "data.account.member_id") : null;
        }
        var outcome = await checkout.CheckoutAsync(user, cartRef, input, ct);
        return outcome.IsOk
            ? TypedResults.Json(OrderJson.WithItems(outcome.Value!), statusCode: 201)
            : ApiErrors.Failure(outcome, "This cart");
    }

    private static Guid ParseId(string text, string source) => Guid.TryParse(text, out var id)
        ? id
        : throw new ApiException(400, "Bad Request", $"{source["data.".Length..]} must be an id (a UUID).", source);

    private static Guid ParseCustomerId(string text) => Guid.TryParse(text, out var id)
        ? id
        : throw new ApiException(400, "Bad Request", "customer.id must be a customer id (a UUID).", "data.customer.id");
}

/// <summary>A custom item as a request adds it (or a quantity change).</summary>
public sealed record CartItemData : IRequestData
{
    // Checked by the endpoint: EP's product items are refused with their own message.
    public static string? ResourceType => null;
    public static int FailureStatus => 400;

    public Optional<string> Type { get; init; }
    public Optional<string> Name { get; init; }
    public Optional<string> Sku { get; init; }
    public Optional<string> Description { get; init; }
    public Optional<long?> Quantity { get; init; }
    public Optional<PriceData> Price { get; init; }
    /// <summary>EP's cart merge (<c>type: cart_items</c>): the cart whose items come over.</summary>
    public Optional<string> CartId { get; init; }
}

public sealed record PriceData : IRequestData
{
    public static string? ResourceType => null;
    public static int FailureStatus => 400;

    public Optional<long?> Amount { get; init; }
}

/// <summary>A checkout: who is buying (a customer id, or a guest's name and email) and the two addresses.</summary>
public sealed record CheckoutData : IRequestData
{
    public static string? ResourceType => null;
    public static int FailureStatus => 400;

    /// <summary><c>{"id"}</c> for a registered customer, <c>{"name","email"}</c> for a guest (or the id as a string).</summary>
    public Optional<JsonNode> Customer { get; init; }
    /// <summary>EP's account checkout: who to reach, <c>{"name","email"}</c>.</summary>
    public Optional<JsonNode> Contact { get; init; }
    /// <summary>EP's account checkout by a server: <c>{"id","member_id"}</c> (with a member's token they come from it).</summary>
    public Optional<JsonNode> Account { get; init; }
    public Optional<AddressData> BillingAddress { get; init; }
    public Optional<AddressData> ShippingAddress { get; init; }
    public Optional<string> OrderNumber { get; init; }
    public Optional<string> ExternalRef { get; init; }
}
