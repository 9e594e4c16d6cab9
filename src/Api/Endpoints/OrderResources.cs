using CommerceManager.Common;
using System.Text.Json.Serialization;
using CommerceManager.Addresses;
using CommerceManager.Api.Wire;
using CommerceManager.Orders;

namespace CommerceManager.Api.Endpoints;

/// <summary>EP's price: <c>{"amount","currency","formatted"}</c>, amounts in minor units.</summary>
public sealed record Price(long Amount, string Currency, string Formatted)
{
    public static Price Of(long amount, string currency) => new(amount, currency, Money.Format(amount, currency));
}

/// <summary><c>display_price</c> with tax, without tax and tax (tax is not calculated: always 0).</summary>
public sealed record DisplayPrice(Price WithTax, Price WithoutTax, Price Tax)
{
    public static DisplayPrice Of(long total, long tax, string currency) => new(Price.Of(total + tax, currency), Price.Of(total, currency), Price.Of(tax, currency));
}

public sealed record UnitAndValue(Price Unit, Price Value);

/// <summary>An item's <c>display_price</c>: unit and line value, with and without tax.</summary>
public sealed record ItemDisplayPrice(UnitAndValue WithTax, UnitAndValue WithoutTax, UnitAndValue Tax)
{
    public static ItemDisplayPrice Of(long unit, long value, string currency) => new(
        new UnitAndValue(Price.Of(unit, currency), Price.Of(value, currency)),
        new UnitAndValue(Price.Of(unit, currency), Price.Of(value, currency)),
        new UnitAndValue(Price.Of(0, currency), Price.Of(0, currency)));
}

/// <summary>An item's <c>unit_price</c> or <c>value</c>: <c>{"amount","currency","includes_tax"}</c>.</summary>
public sealed record ItemAmount(long Amount, string Currency, bool IncludesTax);

public sealed record PriceMeta(DisplayPrice DisplayPrice, Timestamps Timestamps);

/// <summary>An order's <c>display_price</c>: totals, and where its payment stands (EP's paid, authorized, balance owing).</summary>
public sealed record OrderDisplayPrice(Price WithTax, Price WithoutTax, Price Tax, Price Discount, Price WithoutDiscount, Price Shipping,
    Price Paid, Price Authorized, Price BalanceOwing);

public sealed record OrderMeta(OrderDisplayPrice DisplayPrice, Timestamps Timestamps);

public sealed record ItemMeta(ItemDisplayPrice DisplayPrice, Timestamps Timestamps);

public sealed record CartResource(string Id, string Type, string Name, string Description, SelfLink Links, PriceMeta Meta)
{
    /// <summary>EP's cart relationships: the associated account (an empty object when none).</summary>
    public CartRelationships Relationships { get; init; } = new();
}

public sealed record CartRelationships
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ManyRelationship? Accounts { get; init; }
}

public sealed record CartItemResource(string Id, string Type, string Name, string Description, string Sku, int Quantity, bool ManageStock,
    ItemAmount UnitPrice, ItemAmount Value, EmptyObject Links, ItemMeta Meta);

/// <summary>A cart's items with the cart's totals in <c>meta</c>, as EP answers item calls.</summary>
public sealed record CartItemsResponse(IReadOnlyList<CartItemResource> Data, PriceMeta Meta);

/// <summary>An address as an order keeps it: every text field a string, empty when not given (EP's shape).</summary>
public sealed record OrderAddressResource(string FirstName, string LastName, string CompanyName, [property: JsonPropertyName("line_1")] string Line1,
    [property: JsonPropertyName("line_2")] string Line2, string City, string Postcode, string County, string Region, string Country, string PhoneNumber,
    string Instructions)
{
    public static OrderAddressResource Of(PostalAddress a) => new(a.FirstName, a.LastName, a.CompanyName ?? "", a.Line1, a.Line2 ?? "", a.City ?? "",
        a.Postcode, a.County ?? "", a.Region ?? "", a.Country, a.PhoneNumber ?? "", a.Instructions ?? "");
}

public sealed record OrderCustomer(string Name, string Email);

public sealed record OrderRelationships
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ManyRelationship? Items { get; init; }
    public required Relationship Customer { get; init; }
    /// <summary>EP's Account Management: the account the order was placed for, and the member who placed it (only then).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Relationship? Account { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Relationship? AccountMember { get; init; }
}

public sealed record OrderResource(string Type, string Id, string Status, string Payment, string Shipping, bool Anonymized, string OrderNumber,
    string ExternalRef, OrderCustomer Customer, OrderCustomer Contact, OrderAddressResource BillingAddress, OrderAddressResource ShippingAddress,
    EmptyObject Links, OrderMeta Meta, OrderRelationships Relationships);

/// <summary>An order with its items beside it (<c>?include=items</c>, and checkout's answer), as EP does.</summary>
public sealed record OrderWithItemsResponse(OrderResource Data, IncludedItems Included);

public sealed record OrderListWithItemsResponse(IReadOnlyList<OrderResource> Data, PageLinks Links, ListMeta Meta, IncludedItems Included);

public sealed record IncludedItems(IReadOnlyList<OrderItemResource> Items);

/// <summary>EP's transaction: a payment recorded on an order.</summary>
/// <summary>EP's transaction; <c>name</c> and <c>custom_reference</c> are strings, <c>""</c> when none (EP's OpenAPI).</summary>
public sealed record TransactionResource(string Id, string Type, string Reference, string Name, string CustomReference, string Gateway, long Amount,
    long RefundedAmount, string Currency, string TransactionType, string Status, TransactionRelationships Relationships, TransactionMeta Meta);

public sealed record TransactionRelationships(Relationship Order);

public sealed record TransactionMeta(Price DisplayPrice, RefundedTotal DisplayRefundedAmount, Timestamps Timestamps);

public sealed record RefundedTotal(Price Total);

public sealed record OrderItemResource(string Type, string Id, int Quantity, string ProductId, string Name, string Sku, ItemAmount UnitPrice, ItemAmount Value,
    EmptyObject Links, ItemMeta Meta, EmptyObject Relationships);

/// <summary><c>{}</c>: EP sends empty <c>links</c> and <c>relationships</c> objects.</summary>
public sealed record EmptyObject
{
    public static readonly EmptyObject Value = new();
}

/// <summary>EP's JSON for carts, cart items, orders and order items.</summary>
public static class OrderJson
{
    public static CartResource Cart(HttpRequest request, CartDto cart) => new(cart.Reference, "cart", cart.Name ?? "Cart", cart.Description ?? "",
        ApiLinks.Self(request, $"/v2/carts/{cart.Reference}"),
        new PriceMeta(DisplayPrice.Of(cart.Total, 0, cart.Currency), Timestamps.Of(cart.CreatedAt, cart.UpdatedAt)))
    {
        Relationships = new CartRelationships
        {
            Accounts = cart.AccountId is { } account ? new ManyRelationship([new ResourceRef("account", account.ToString())]) : null,
        },
    };

    public static CartItemResource CartItem(CartItemDto i, string currency) => new(i.Id.ToString(), "custom_item", i.Name, i.Description ?? "", i.Sku,
        i.Quantity, false, new ItemAmount(i.UnitPrice, currency, true), new ItemAmount(i.LineTotal, currency, true), EmptyObject.Value,
        new ItemMeta(ItemDisplayPrice.Of(i.UnitPrice, i.LineTotal, currency), Timestamps.Of(i.CreatedAt, i.CreatedAt)));

    public static CartItemsResponse CartItems(CartDto cart) => new(cart.Items.Select(i => CartItem(i, cart.Currency)).ToList(),
        new PriceMeta(DisplayPrice.Of(cart.Total, 0, cart.Currency), Timestamps.Of(cart.CreatedAt, cart.UpdatedAt)));

    public static OrderResource Order(OrderDto o, IReadOnlyList<OrderItemDto>? items = null)
    {
        var due = o.Total + o.Tax;
        var contact = new OrderCustomer(o.CustomerName, o.CustomerEmail);
        return new("order", o.Id.ToString(), OrderTransitions.Word(o.Status), OrderTransitions.Word(o.Payment), OrderTransitions.Word(o.Shipping), false,
            o.OrderNumber ?? "", o.ExternalRef ?? "", contact, contact, OrderAddressResource.Of(o.BillingAddress), OrderAddressResource.Of(o.ShippingAddress),
            EmptyObject.Value,
            new OrderMeta(new OrderDisplayPrice(Price.Of(due, o.Currency), Price.Of(o.Total, o.Currency), Price.Of(o.Tax, o.Currency),
                Price.Of(0, o.Currency), Price.Of(due, o.Currency), Price.Of(0, o.Currency), Price.Of(o.PaidAmount, o.Currency),
                Price.Of(o.AuthorizedAmount, o.Currency), Price.Of(o.BalanceOwing, o.Currency)), Timestamps.Of(o.CreatedAt, o.UpdatedAt)),
            new OrderRelationships
            {
                Items = items is null ? null : new ManyRelationship(items.Select(i => new ResourceRef("item", i.Id.ToString())).ToList()),
                Customer = new Relationship(o.CustomerId is { } id ? new ResourceRef("customer", id.ToString()) : null),
                Account = o.AccountId is { } account ? new Relationship(new ResourceRef("account", account.ToString())) : null,
                AccountMember = o.AccountMemberId is { } member ? new Relationship(new ResourceRef("account_member", member.ToString())) : null,
            });
    }

    public static OrderWithItemsResponse WithItems(OrderDetail detail) => new(Order(detail.Order, detail.Items),
        new IncludedItems(detail.Items.Select(i => OrderItem(i, detail.Order)).ToList()));

    public static TransactionResource Transaction(OrderTransactionDto t, Guid orderId) => new(t.Id.ToString(), "transaction", t.Gateway, t.Name ?? "",
        t.CustomReference ?? "", t.Gateway, t.Amount, t.RefundedAmount, t.Currency,
        // EP updates a payment in place when it is refunded: its type reads refund from then on.
        t.RefundedAmount > 0 ? OrderTransitions.Word(TransactionType.Refund) : OrderTransitions.Word(t.Type), OrderTransitions.Word(t.Status),
        new TransactionRelationships(new Relationship(new ResourceRef("order", orderId.ToString()))),
        new TransactionMeta(Price.Of(t.Amount, t.Currency), new RefundedTotal(Price.Of(t.RefundedAmount, t.Currency)), Timestamps.Of(t.CreatedAt, t.UpdatedAt)));

    public static OrderItemResource OrderItem(OrderItemDto i, OrderDto o) => new("order_item", i.Id.ToString(), i.Quantity, "", i.Name, i.Sku,
        new ItemAmount(i.UnitPrice, o.Currency, true), new ItemAmount(i.LineTotal, o.Currency, true), EmptyObject.Value,
        new ItemMeta(ItemDisplayPrice.Of(i.UnitPrice, i.LineTotal, o.Currency), Timestamps.Of(o.CreatedAt, o.CreatedAt)), EmptyObject.Value);
}
