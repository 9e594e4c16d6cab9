using System.Security.Claims;
using CommerceManager.Addresses;
using CommerceManager.Api.Wire;
using CommerceManager.Orders;

namespace CommerceManager.Api.Endpoints;

/// <summary>
/// <c>/v2/orders</c>: all orders for client credentials, only the customer's own under a customer token; payments
/// with EP's manual gateway and their transactions.
/// </summary>
public static class OrdersApi
{
    public static RouteGroupBuilder MapOrdersApi(this RouteGroupBuilder v2)
    {
        var orders = v2.MapGroup("/orders").WithTags("Orders").ValidationErrors(422).RequireRateLimiting(StoreReadGate.Policy);
        orders.MapGet("", ListAsync).WithSummary("List orders")
            .WithDescription("Client credentials: every order, with filter=eq(customer_id,…), eq/like(email|name,…), eq(status|payment|shipping|order_number|external_ref,…), gt/ge/lt/le(created_at|updated_at,…). Implicit with a customer token: that customer's orders only. include=items adds included.items.")
            .Produces<ListResponse<OrderResource>>().Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(403);
        orders.MapGet("/{id:guid}", GetAsync).WithSummary("Get an order (include=items adds included.items)")
            .Produces<DataResponse<OrderResource>>().Produces<OrderWithItemsResponse>().Produces<ApiErrorBody>(404);
        orders.MapGet("/{id:guid}/items", ItemsAsync).WithSummary("Get an order's items").Produces<DataResponse<IReadOnlyList<OrderItemResource>>>().Produces<ApiErrorBody>(404);
        orders.MapPost("/{id:guid}/payments", PayAsync).WithSummary("Pay for an order (EP's manual gateway: purchase or authorize)")
            .WithDescription("{\"data\":{\"gateway\":\"manual\",\"method\":\"purchase|authorize\",\"amount\"?,\"paymentmethod_meta\"?:{\"custom_reference\",\"name\"}}}: without an amount, the balance owing.")
            .Produces<DataResponse<TransactionResource>>().Produces<ApiErrorBody>(422);
        orders.MapGet("/{id:guid}/transactions", TransactionsAsync).WithSummary("List an order's transactions").Produces<DataResponse<IReadOnlyList<TransactionResource>>>();
        orders.MapGet("/{id:guid}/transactions/{transactionId:guid}", TransactionAsync).WithSummary("Get a transaction").Produces<DataResponse<TransactionResource>>();

        var server = orders.MapGroup("").RequireAuthorization(ApiSetup.ClientCredentials);
        server.MapPut("/{id:guid}", UpdateAsync).WithSummary("Cancel, fulfil, or change the shipping address, order number or external reference (client credentials)")
            .WithDescription("EP's rules: status only to cancelled (not once fulfilled), shipping only to fulfilled (paid orders), shipping_address while unfulfilled; order_number and external_ref (\"\" clears). Payment changes through /payments.")
            .Produces<DataResponse<OrderResource>>().Produces<ApiErrorBody>(403).Produces<ApiErrorBody>(422);
        server.MapPost("/{id:guid}/transactions/{transactionId:guid}/capture", CaptureAsync).WithSummary("Capture an authorization (client credentials)")
            .Produces<DataResponse<TransactionResource>>().Produces<ApiErrorBody>(422);
        server.MapPost("/{id:guid}/transactions/{transactionId:guid}/refund", RefundAsync).WithSummary("Refund a payment, in full or in part (client credentials)")
            .WithDescription("Optional body {\"data\":{\"amount\":…}}: without it, what is left to refund.")
            .Produces<DataResponse<TransactionResource>>().Produces<ApiErrorBody>(422);
        return v2;
    }

    private static bool IncludesItems(HttpRequest request) =>
        request.Query["include"].ToString().Split(',', StringSplitOptions.TrimEntries).Contains("items", StringComparer.OrdinalIgnoreCase);

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var sort = request.Query["sort"].ToString();
        var result = await orders.ListAsync(user, new OrderQuery(request.Query["filter"].ToString(), sort.Length == 0 ? null : sort, page.Offset, page.Limit), ct);
        var list = ApiPaging.List(request, result.Items.Select(o => OrderJson.Order(o)).ToList(), result.Total, page);
        if (!IncludesItems(request))
        {
            return TypedResults.Json(list);
        }
        var items = new List<OrderItemResource>();
        foreach (var order in result.Items)
        {
            if (await orders.GetAsync(user, order.Id, ct) is { } detail)
            {
                items.AddRange(detail.Items.Select(i => OrderJson.OrderItem(i, detail.Order)));
            }
        }
        return TypedResults.Json(new OrderListWithItemsResponse(list.Data, list.Links, list.Meta, new IncludedItems(items)));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpRequest request, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var detail = await orders.GetAsync(user, id, ct);
        return detail is null ? OrderNotFound(user)
            : IncludesItems(request) ? TypedResults.Json(OrderJson.WithItems(detail))
            : TypedResults.Json(new DataResponse<OrderResource>(OrderJson.Order(detail.Order, detail.Items)));
    }

    /// <summary>EP's D2C starter compares an account member's missing order with EP's exact words.</summary>
    private static IResult OrderNotFound(ClaimsPrincipal user) => Security.Access.AccountIdOf(user) is not null
        ? ApiErrors.Result(404, "Not Found", "The order does not exist")
        : ApiErrors.NotFound("This order");

    private static async Task<IResult> ItemsAsync(Guid id, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var detail = await orders.GetAsync(user, id, ct);
        return detail is null
            ? ApiErrors.NotFound("This order")
            : TypedResults.Json(new DataResponse<IReadOnlyList<OrderItemResource>>(detail.Items.Select(i => OrderJson.OrderItem(i, detail.Order)).ToList()));
    }

    private static async Task<IResult> UpdateAsync(Guid id, ApiBody<OrderData> body, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var data = body.Data;
        var errors = new List<ApiError>();
        if (data.Payment.IsSet)
        {
            errors.Add(new ApiError(422, "Failed Validation",
                $"payment cannot be set: record a payment with POST /v2/orders/{id}/payments (gateway manual), and capture or refund its transactions.", "data.payment"));
        }
        var status = Parse<OrderStatus>(data.Status, "status", errors);
        var shipping = Parse<ShippingStatus>(data.Shipping, "shipping", errors);
        ApiException.ThrowIfAny(errors, 422);
        var outcome = await orders.UpdateAsync(user, id, new OrderUpdate(status, shipping,
            data.ShippingAddress.Value is { } address ? OrderAddress(address) : null,
            (data.OrderNumber.Value, data.OrderNumber.IsSet), (data.ExternalRef.Value, data.ExternalRef.IsSet)), ct);
        return outcome.IsOk
            ? TypedResults.Json(new DataResponse<OrderResource>(OrderJson.Order(outcome.Value!.Order, outcome.Value.Items)))
            : ApiErrors.Failure(outcome, "This order", refusedStatus: 422);
    }

    /// <summary>A replacement shipping address: EP's checkout rules (a region, not a county).</summary>
    private static PostalAddress OrderAddress(AddressData data)
    {
        var input = data.Over(new AddressInput());
        var result = new OrderAddressValidator().Validate(input);
        if (!result.IsValid)
        {
            throw new FluentValidation.ValidationException(result.Errors.Select(e =>
                new FluentValidation.Results.ValidationFailure("ShippingAddress." + e.PropertyName, e.ErrorMessage)));
        }
        var postal = input.ToPostal();
        postal.Region ??= "";
        return postal;
    }

    private static async Task<IResult> PayAsync(Guid id, ApiBody<PaymentData> body, ClaimsPrincipal user, PaymentService payments, CancellationToken ct)
    {
        var data = body.Data;
        var outcome = await payments.PayAsync(user, id, new PaymentInput(data.Gateway.Value ?? "", data.Method.Value ?? "", data.Amount.Value,
            data.PaymentmethodMeta.Value?.CustomReference.Value, data.PaymentmethodMeta.Value?.Name.Value), ct);
        return Transaction(outcome, id);
    }

    private static async Task<IResult> TransactionsAsync(Guid id, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var detail = await orders.GetAsync(user, id, ct);
        return detail is null
            ? ApiErrors.NotFound("This order")
            : TypedResults.Json(new DataResponse<IReadOnlyList<TransactionResource>>(detail.Transactions.Where(t => t.IsPayment).Select(t => OrderJson.Transaction(t, id)).ToList()));
    }

    private static async Task<IResult> TransactionAsync(Guid id, Guid transactionId, ClaimsPrincipal user, OrderService orders, CancellationToken ct)
    {
        var transaction = (await orders.GetAsync(user, id, ct))?.Transactions.FirstOrDefault(t => t.Id == transactionId && t.IsPayment);
        return transaction is null
            ? ApiErrors.NotFound("This transaction")
            : TypedResults.Json(new DataResponse<TransactionResource>(OrderJson.Transaction(transaction, id)));
    }

    private static async Task<IResult> CaptureAsync(Guid id, Guid transactionId, ClaimsPrincipal user, PaymentService payments, CancellationToken ct) =>
        Transaction(await payments.CaptureAsync(user, id, transactionId, ct), id);

    private static async Task<IResult> RefundAsync(Guid id, Guid transactionId, HttpRequest request, ClaimsPrincipal user, PaymentService payments, CancellationToken ct)
    {
        // The body is optional (EP's SDK 3.x sends none): an amount refunds part, none refunds what is left.
        long? amount = null;
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var body = await ApiBody<RefundData>.BindAsync(request.HttpContext, null!);
            amount = body!.Data.Amount.Value;
        }
        return Transaction(await payments.RefundAsync(user, id, transactionId, amount, ct), id);
    }

    private static IResult Transaction(Common.Outcome<(OrderDetail Order, OrderTransactionDto Transaction)> outcome, Guid orderId) => outcome.IsOk
        ? TypedResults.Json(new DataResponse<TransactionResource>(OrderJson.Transaction(outcome.Value.Transaction, orderId)))
        : ApiErrors.Failure(outcome, outcome.Kind == Common.OutcomeKind.NotFound ? "This order or transaction" : "This order", refusedStatus: 422);

    private static T? Parse<T>(Optional<string> field, string name, List<ApiError> errors) where T : struct, Enum
    {
        if (field.Value is not { } value)
        {
            return null;
        }
        if (OrderTransitions.Parse<T>(value) is { } parsed)
        {
            return parsed;
        }
        errors.Add(new ApiError(422, "Failed Validation",
            $"{name} must be one of: {string.Join(", ", Enum.GetValues<T>().Select(v => OrderTransitions.Word(v)))}.", $"data.{name}"));
        return null;
    }
}

/// <summary>A change to an order (EP's PUT): status, shipping, shipping address, order number, external reference.</summary>
public sealed record OrderData : IRequestData
{
    public static string? ResourceType => "order";
    public static int FailureStatus => 422;

    public Optional<string> Status { get; init; }
    public Optional<string> Shipping { get; init; }
    /// <summary>Refused: payments move the payment state.</summary>
    public Optional<string> Payment { get; init; }
    public Optional<AddressData> ShippingAddress { get; init; }
    public Optional<string> OrderNumber { get; init; }
    public Optional<string> ExternalRef { get; init; }
}

/// <summary>A payment (EP's <c>POST /v2/orders/:id/payments</c>).</summary>
public sealed record PaymentData : IRequestData
{
    public static string? ResourceType => null;
    public static int FailureStatus => 422;

    public Optional<string> Gateway { get; init; }
    public Optional<string> Method { get; init; }
    public Optional<long?> Amount { get; init; }
    public Optional<PaymentMethodMeta> PaymentmethodMeta { get; init; }
}

public sealed record PaymentMethodMeta : IRequestData
{
    public static string? ResourceType => null;
    public static int FailureStatus => 422;

    public Optional<string> CustomReference { get; init; }
    public Optional<string> Name { get; init; }
}

public sealed record RefundData : IRequestData
{
    public static string? ResourceType => null;
    public static int FailureStatus => 422;

    public Optional<long?> Amount { get; init; }
}
