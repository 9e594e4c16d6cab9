using System.Globalization;
using CommerceManager.Querying;

namespace CommerceManager.Orders;

/// <summary>
/// The Orders page's filters, read from and written to the EP filter string (the same one <c>GET /v2/orders</c>
/// takes), so the view lives in the URL. Terms the form cannot show are kept as they are.
/// </summary>
public sealed class OrderSearch
{
    public string CustomerId { get; set; } = "";
    public string Email { get; set; } = "";
    public bool EmailExact { get; set; } = true;
    public string Name { get; set; } = "";
    public bool NameExact { get; set; }
    public OrderStatus? Status { get; set; }
    public PaymentStatus? Payment { get; set; }
    public ShippingStatus? Shipping { get; set; }
    public DateTime? CreatedFrom { get; set; }
    public DateTime? CreatedTo { get; set; }
    public IReadOnlyList<FilterTerm> OtherTerms { get; private set; } = [];

    public static OrderSearch FromFilter(string? filter)
    {
        var s = new OrderSearch();
        var others = new List<FilterTerm>();
        foreach (var t in OrderService.Schema.Parse(filter))
        {
            switch (t.Field)
            {
                case "customer_id" when s.CustomerId.Length == 0:
                    s.CustomerId = t.Value;
                    break;
                case "email" when s.Email.Length == 0:
                    (s.Email, s.EmailExact) = ReadText(t);
                    break;
                case "name" when s.Name.Length == 0:
                    (s.Name, s.NameExact) = ReadText(t);
                    break;
                case "status" when s.Status is null && Enum.TryParse<OrderStatus>(t.Value, true, out var status):
                    s.Status = status;
                    break;
                case "payment" when s.Payment is null && Enum.TryParse<PaymentStatus>(t.Value, true, out var payment):
                    s.Payment = payment;
                    break;
                case "shipping" when s.Shipping is null && Enum.TryParse<ShippingStatus>(t.Value, true, out var shipping):
                    s.Shipping = shipping;
                    break;
                case "created_at" when t.Op == "ge" && s.CreatedFrom is null && t.Value.Length == 10:
                    s.CreatedFrom = FilterLanguage.ParseTimestamp(t).Date;
                    break;
                case "created_at" when t.Op == "lt" && s.CreatedTo is null && t.Value.Length == 10:
                    s.CreatedTo = FilterLanguage.ParseTimestamp(t).Date.AddDays(-1);
                    break;
                default:
                    others.Add(t);
                    break;
            }
        }
        s.OtherTerms = others;
        return s;
    }

    public string ToFilter()
    {
        var terms = new List<FilterTerm>();
        if (CustomerId.Trim().Length > 0)
        {
            terms.Add(new FilterTerm("eq", "customer_id", CustomerId.Trim()));
        }
        AddText(terms, "email", Email, EmailExact);
        AddText(terms, "name", Name, NameExact);
        if (Status is { } status)
        {
            terms.Add(new FilterTerm("eq", "status", OrderTransitions.Word(status)));
        }
        if (Payment is { } payment)
        {
            terms.Add(new FilterTerm("eq", "payment", OrderTransitions.Word(payment)));
        }
        if (Shipping is { } shipping)
        {
            terms.Add(new FilterTerm("eq", "shipping", OrderTransitions.Word(shipping)));
        }
        if (CreatedFrom is { } from)
        {
            terms.Add(new FilterTerm("ge", "created_at", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        if (CreatedTo is { } to)
        {
            terms.Add(new FilterTerm("lt", "created_at", to.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        terms.AddRange(OtherTerms);
        return FilterLanguage.Format(terms);
    }

    private static (string Text, bool Exact) ReadText(FilterTerm t)
    {
        if (t.Op == "eq")
        {
            return (t.Value, true);
        }
        var (kind, text) = LikePattern.Read(t.Value);
        return (text, kind == LikeKind.Equals);
    }

    private static void AddText(List<FilterTerm> terms, string field, string text, bool exact)
    {
        var value = text.Replace("*", "", StringComparison.Ordinal).Trim();
        if (value.Length > 0)
        {
            terms.Add(exact ? new FilterTerm("eq", field, value) : new FilterTerm("like", field, $"*{value}*"));
        }
    }
}
