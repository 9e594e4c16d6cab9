using System.Globalization;
using CommerceManager.Common;
using CommerceManager.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CommerceManager.Orders;

/// <summary>The orders list's Export: the ticked orders or all the filter matches, as a CSV download streamed from the database.</summary>
public static class OrderExport
{
    public const string Path = "/exports/orders.csv";

    public static readonly string[] Columns =
    [
        "id", "number", "order_number", "external_ref", "created_at", "customer_id", "customer_name", "customer_email",
        "status", "payment", "shipping", "items", "currency", "total", "tax", "paid",
    ];

    public static string UrlFor(IReadOnlyList<Guid>? ids, string? filter)
    {
        var query = new Dictionary<string, string?>
        {
            ["ids"] = ids is null ? null : string.Join(',', ids),
            ["filter"] = ids is null ? filter : null,
        };
        return CsvDownload.Link(Path, query);
    }

    public static IEndpointConventionBuilder MapOrderExport(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, async (HttpContext context, [FromServices] OrderService orders, string? ids, string? filter) =>
        {
            List<Guid>? selected = null;
            if (!string.IsNullOrEmpty(ids) && (selected = CsvDownload.Ids(ids)) is null)
            {
                return Results.BadRequest("ids must be order ids separated by commas.");
            }
            return await CsvDownload.StreamAsync(context, "orders", Columns, orders.ReadAsync(context.User, selected, filter, context.RequestAborted), Row);
        }).RequireAuthorization(new AuthorizeAttribute { Roles = Roles.AnyStaff });

    /// <summary>Amounts in the currency's major unit with a dot (12.50), as spreadsheets read them.</summary>
    public static IEnumerable<string?> Row(OrderDto o) =>
    [
        o.Id.ToString(), OrderFormat.ShortId(o.Id), o.OrderNumber, o.ExternalRef, CsvWriter.Time(o.CreatedAt), o.CustomerId?.ToString(), o.CustomerName,
        o.CustomerEmail, OrderTransitions.Word(o.Status), OrderTransitions.Word(o.Payment), OrderTransitions.Word(o.Shipping),
        o.ItemCount.ToString(CultureInfo.InvariantCulture), o.Currency, Major(o.Total, o.Currency), Major(o.Tax, o.Currency), Major(o.PaidAmount, o.Currency),
    ];

    private static string Major(long minor, string currency)
    {
        var decimals = Money.Decimals(currency);
        return (minor / (decimal)Math.Pow(10, decimals)).ToString(decimals == 0 ? "0" : "0.00", CultureInfo.InvariantCulture);
    }
}
