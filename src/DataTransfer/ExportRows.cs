using CommerceManager.Addresses;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.CustomFields;
using CommerceManager.Exports;
using CommerceManager.Orders;

namespace CommerceManager.DataTransfer;

/// <summary>
/// The columns of each export. Customers: the fixed columns, one per custom field (by slug), then the addresses —
/// in CSV the first address flattened into <c>address_*</c> columns with <c>address_count</c> beside it, in JSON
/// Lines every address in an <c>addresses</c> list. The import reads these headers back as they are.
/// </summary>
public static class ExportRows
{
    public static readonly string[] CustomerColumns =
        ["id", "name", "email", "external_ref", "password_set", "created_at", "updated_at", "order_count", "orders_total", "last_order_at"];

    public static readonly string[] AddressColumns =
    [
        "address_name", "address_first_name", "address_last_name", "address_company_name", "address_line_1", "address_line_2",
        "address_city", "address_region", "address_county", "address_postcode", "address_country", "address_phone_number", "address_instructions",
    ];

    public static readonly string[] OrderColumns =
    [
        "id", "number", "order_number", "external_ref", "created_at", "customer_id", "customer_name", "customer_email",
        "status", "payment", "shipping", "items", "currency", "total", "tax", "paid",
    ];

    public static IReadOnlyList<string> CustomerHeader(IReadOnlyList<FieldDefinition> fields, ExportFormat format) =>
    [
        .. CustomerColumns, .. fields.Select(f => f.Slug),
        .. format == ExportFormat.Csv ? ["address_count", .. AddressColumns] : Array.Empty<string>(),
    ];

    /// <summary>A customer's row; <c>orders_total</c> in the store's currency's major unit (358.00), as the order export's amounts.</summary>
    public static object?[] Customer(CustomerDto c, IReadOnlyList<FieldDefinition> fields, IReadOnlyList<Address> addresses, bool csv, string currency)
    {
        var values = new List<object?>(CustomerColumns.Length + fields.Count + AddressColumns.Length + 1)
        {
            c.Id.ToString(), c.Name, c.Email, c.ExternalRef, c.HasPassword, c.CreatedAt, c.UpdatedAt, c.OrderCount, Major(c.OrdersTotal, currency), c.LastOrderAt,
        };
        if (fields.Count > 0)
        {
            var custom = CustomFieldsEditor.ValuesOf(fields, c.CustomData);
            values.AddRange(fields.Select(f => (object?)custom.GetValueOrDefault(f.Slug)));
        }
        if (csv)
        {
            values.Add(addresses.Count);
            var first = addresses.Count > 0 ? AddressValues(addresses[0]) : null;
            values.AddRange(first?.Select(p => p.Value) ?? new object?[AddressColumns.Length]);
        }
        return values.ToArray();
    }

    /// <summary>An address as JSON Lines carries it (EP's address field names).</summary>
    public static IReadOnlyList<(string Key, object? Value)> Address(Address a) =>
        [("id", a.Id.ToString()), .. AddressValues(a).Select(p => (p.Key["address_".Length..], p.Value))];

    private static (string Key, object? Value)[] AddressValues(Address a)
    {
        var p = a.Postal;
        object?[] values = [a.Name, p.FirstName, p.LastName, p.CompanyName, p.Line1, p.Line2, p.City, p.Region, p.County, p.Postcode, p.Country, p.PhoneNumber, p.Instructions];
        return AddressColumns.Zip(values, (k, v) => (k, v)).ToArray();
    }

    /// <summary>Amounts in the currency's major unit (12.50), as spreadsheets read them; the short number staff see.</summary>
    public static object?[] Order(OrderDto o) =>
    [
        o.Id.ToString(), OrderFormat.ShortId(o.Id), o.OrderNumber, o.ExternalRef, o.CreatedAt, o.CustomerId?.ToString(), o.CustomerName,
        o.CustomerEmail, OrderTransitions.Word(o.Status), OrderTransitions.Word(o.Payment), OrderTransitions.Word(o.Shipping),
        o.ItemCount, o.Currency, Major(o.Total, o.Currency), Major(o.Tax, o.Currency), Major(o.PaidAmount, o.Currency),
    ];

    /// <summary>Kept with the currency's decimals (12.50, not 12.5), in CSV and JSON alike.</summary>
    private static decimal Major(long minor, string currency)
    {
        var decimals = Money.Decimals(currency);
        var text = (minor / (decimal)Math.Pow(10, decimals)).ToString(decimals == 0 ? "0" : "0.00", System.Globalization.CultureInfo.InvariantCulture);
        return decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
