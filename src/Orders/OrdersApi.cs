using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Api;
using CommerceManager.Infrastructure;

namespace CommerceManager.Orders;

/// <summary><c>/v2/orders</c>: all orders for client credentials, only the customer's own under a customer token.</summary>
public static class OrdersApi
{
    public static RouteGroupBuilder MapOrdersApi(this RouteGroupBuilder v2)
    {
        var orders = v2.MapGroup("/orders").WithTags("Orders");
        orders.MapGet("", ListAsync).WithSummary("List orders")
            .WithDescription("Client credentials: every order, with filter=eq(customer_id,…), eq/like(email|name,…), eq(status|payment|shipping,…), gt/ge/lt/le(created_at|updated_at,…). Implicit with a customer token: that customer's orders only.")
            .Produces<JsonObject>().Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(403);
        orders.MapGet("/{id:guid}", GetAsync).WithSummary("Get an order").Produces<JsonObject>().Produces<ApiErrorBody>(404);
        orders.MapGet("/{id:guid}/items", ItemsAsync).WithSummary("Get an order's items").Produces<JsonObject>().Produces<ApiErrorBody>(404);
        orders.MapPut("/{id:guid}", UpdateAsync).WithSummary("Change status, payment or shipping (client credentials only)")
            .WithDescription("{\"data\":{\"type\":\"order\",\"status\":\"processing|complete|cancelled\",\"payment\":\"authorized|paid|refunded|unpaid\",\"shipping\":\"fulfilled\"}}: only allowed transitions; others are refused with the reason (422).")
            .Accepts<JsonObject>("application/json").Produces<JsonObject>().Produces<ApiErrorBody>(403).Produces<ApiErrorBody>(422);
        return v2;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var sort = request.Query["sort"].ToString();
        var result = await orders.ListAsync(user, new OrderQuery(request.Query["filter"].ToString(), sort.Length == 0 ? null : sort, page.Offset, page.Limit), ct);
        return TypedResults.Json(ApiPaging.Envelope(request, result.Items.Select(o => OrderJson.Order(o)).ToList(), result.Total, page));
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var detail = await orders.GetAsync(user, id, ct);
        return detail is null
            ? ApiErrors.NotFound("This order")
            : ApiJson.Data(OrderJson.Order(detail.Order, detail.Items));
    }

    private static async Task<IResult> ItemsAsync(Guid id, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var detail = await orders.GetAsync(user, id, ct);
        return detail is null
            ? ApiErrors.NotFound("This order")
            : ApiJson.Data(new JsonArray(detail.Items.Select(i => (JsonNode)OrderJson.OrderItem(i, detail.Order)).ToArray()));
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpRequest request, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        user.RequireClientCredentials("Changing an order");
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "order");
        var errors = new List<ApiError>();
        var change = new OrderStatusChange(
            Parse<OrderStatus>(data, "status", errors),
            Parse<PaymentStatus>(data, "payment", errors),
            Parse<ShippingStatus>(data, "shipping", errors));
        ApiException.ThrowIfAny(errors, 422);
        var outcome = await orders.ChangeStatusAsync(user, id, change, null, ct);
        return outcome.Kind switch
        {
            OutcomeKind.Ok => ApiJson.Data(OrderJson.Order(outcome.Value!.Order, outcome.Value.Items)),
            OutcomeKind.NotFound => ApiErrors.NotFound("This order"),
            OutcomeKind.Conflict => ApiErrors.Result(409, "Conflict", outcome.Error),
            _ => ApiErrors.Result(422, "Failed Validation", outcome.Error),
        };
    }

    private static T? Parse<T>(JsonObject data, string field, List<ApiError> errors) where T : struct, Enum
    {
        var (present, value) = ApiJson.String(data, field, errors, 422);
        if (!present || value is null)
        {
            return null;
        }
        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _))
        {
            return parsed;
        }
        errors.Add(new ApiError(422, "Failed Validation",
            $"{field} must be one of: {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.", $"data.{field}"));
        return null;
    }
}
