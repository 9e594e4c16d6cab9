using System.Security.Claims;
using CommerceManager.Api.Wire;
using CommerceManager.Orders;

namespace CommerceManager.Api.Endpoints;

/// <summary><c>/v2/orders</c>: all orders for client credentials, only the customer's own under a customer token.</summary>
public static class OrdersApi
{
    public static RouteGroupBuilder MapOrdersApi(this RouteGroupBuilder v2)
    {
        var orders = v2.MapGroup("/orders").WithTags("Orders");
        orders.MapGet("", ListAsync).WithSummary("List orders")
            .WithDescription("Client credentials: every order, with filter=eq(customer_id,…), eq/like(email|name,…), eq(status|payment|shipping,…), gt/ge/lt/le(created_at|updated_at,…). Implicit with a customer token: that customer's orders only.")
            .Produces<ListResponse<OrderResource>>().Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(403);
        orders.MapGet("/{id:guid}", GetAsync).WithSummary("Get an order").Produces<DataResponse<OrderResource>>().Produces<ApiErrorBody>(404);
        orders.MapGet("/{id:guid}/items", ItemsAsync).WithSummary("Get an order's items").Produces<DataResponse<IReadOnlyList<OrderItemResource>>>().Produces<ApiErrorBody>(404);

        orders.MapGroup("").RequireAuthorization(ApiSetup.ClientCredentials)
            .MapPut("/{id:guid}", UpdateAsync).WithSummary("Change status, payment or shipping (client credentials only)")
            .WithDescription("{\"data\":{\"type\":\"order\",\"status\":\"processing|complete|cancelled\",\"payment\":\"authorized|paid|refunded|unpaid\",\"shipping\":\"fulfilled\"}}: only allowed transitions; others are refused with the reason (422).")
            .Produces<DataResponse<OrderResource>>().Produces<ApiErrorBody>(403).Produces<ApiErrorBody>(422);
        return v2;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var sort = request.Query["sort"].ToString();
        var result = await orders.ListAsync(user, new OrderQuery(request.Query["filter"].ToString(), sort.Length == 0 ? null : sort, page.Offset, page.Limit), ct);
        return TypedResults.Json(ApiPaging.List(request, result.Items.Select(o => OrderJson.Order(o)).ToList(), result.Total, page));
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var detail = await orders.GetAsync(user, id, ct);
        return detail is null
            ? ApiErrors.NotFound("This order")
            : TypedResults.Json(new DataResponse<OrderResource>(OrderJson.Order(detail.Order, detail.Items)));
    }

    private static async Task<IResult> ItemsAsync(Guid id, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var detail = await orders.GetAsync(user, id, ct);
        return detail is null
            ? ApiErrors.NotFound("This order")
            : TypedResults.Json(new DataResponse<IReadOnlyList<OrderItemResource>>(detail.Items.Select(i => OrderJson.OrderItem(i, detail.Order)).ToList()));
    }

    private static async Task<IResult> UpdateAsync(Guid id, ApiBody<OrderData> body, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var errors = new List<ApiError>();
        var change = new OrderStatusChange(
            Parse<OrderStatus>(body.Data.Status, "status", errors),
            Parse<PaymentStatus>(body.Data.Payment, "payment", errors),
            Parse<ShippingStatus>(body.Data.Shipping, "shipping", errors));
        ApiException.ThrowIfAny(errors, 422);
        var outcome = await orders.ChangeStatusAsync(user, id, change, null, ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<OrderResource>(OrderJson.Order(outcome.Value!.Order, outcome.Value.Items)))
            : ApiErrors.Failure(outcome, "This order", refusedStatus: 422);
    }

    private static T? Parse<T>(Optional<string> field, string name, List<ApiError> errors) where T : struct, Enum
    {
        if (field.Value is not { } value)
        {
            return null;
        }
        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _))
        {
            return parsed;
        }
        errors.Add(new ApiError(422, "Failed Validation",
            $"{name} must be one of: {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.", $"data.{name}"));
        return null;
    }
}

/// <summary>A change to an order: its status, payment or shipping.</summary>
public sealed record OrderData : IRequestData
{
    public static string? ResourceType => "order";
    public static int FailureStatus => 422;

    public Optional<string> Status { get; init; }
    public Optional<string> Payment { get; init; }
    public Optional<string> Shipping { get; init; }
}
