using System.Text.Json.Nodes;
using CommerceManager.Api;

namespace CommerceManager.Orders;

/// <summary>EP's JSON for carts, cart items, orders and order items.</summary>
public static class OrderJson
{
    public static JsonObject Price(long amount, string currency) => new()
    {
        ["amount"] = amount,
        ["currency"] = currency,
        ["formatted"] = Money.Format(amount, currency),
    };

    /// <summary><c>display_price</c> with tax, without tax and tax (tax is not calculated: always 0).</summary>
    public static JsonObject DisplayPrice(long total, long tax, string currency) => new()
    {
        ["with_tax"] = Price(total + tax, currency),
        ["without_tax"] = Price(total, currency),
        ["tax"] = Price(tax, currency),
    };

    public static JsonObject Cart(CartDto cart) => new()
    {
        ["id"] = cart.Reference,
        ["type"] = "cart",
        ["name"] = "Cart",
        ["description"] = "",
        ["links"] = new JsonObject { ["self"] = $"/v2/carts/{cart.Reference}" },
        ["meta"] = new JsonObject
        {
            ["display_price"] = DisplayPrice(cart.Total, 0, cart.Currency),
            ["timestamps"] = ApiJson.Timestamps(cart.CreatedAt, cart.UpdatedAt),
        },
    };

    public static JsonObject CartItem(CartItemDto i, string currency) => new()
    {
        ["id"] = i.Id.ToString(),
        ["type"] = "custom_item",
        ["name"] = i.Name,
        ["description"] = i.Description ?? "",
        ["sku"] = i.Sku,
        ["quantity"] = i.Quantity,
        ["manage_stock"] = false,
        ["unit_price"] = new JsonObject { ["amount"] = i.UnitPrice, ["currency"] = currency, ["includes_tax"] = true },
        ["value"] = new JsonObject { ["amount"] = i.LineTotal, ["currency"] = currency, ["includes_tax"] = true },
        ["links"] = new JsonObject(),
        ["meta"] = new JsonObject
        {
            ["display_price"] = new JsonObject
            {
                ["with_tax"] = new JsonObject { ["unit"] = Price(i.UnitPrice, currency), ["value"] = Price(i.LineTotal, currency) },
                ["without_tax"] = new JsonObject { ["unit"] = Price(i.UnitPrice, currency), ["value"] = Price(i.LineTotal, currency) },
                ["tax"] = new JsonObject { ["unit"] = Price(0, currency), ["value"] = Price(0, currency) },
            },
            ["timestamps"] = ApiJson.Timestamps(i.CreatedAt, i.CreatedAt),
        },
    };

    /// <summary>The cart's items with the cart's totals in <c>meta</c>, as EP answers item calls.</summary>
    public static JsonObject CartItems(CartDto cart) => new()
    {
        ["data"] = new JsonArray(cart.Items.Select(i => (JsonNode)CartItem(i, cart.Currency)).ToArray()),
        ["meta"] = new JsonObject
        {
            ["display_price"] = DisplayPrice(cart.Total, 0, cart.Currency),
            ["timestamps"] = ApiJson.Timestamps(cart.CreatedAt, cart.UpdatedAt),
        },
    };

    public static JsonObject Address(OrderAddressDto a) => new()
    {
        ["first_name"] = a.FirstName,
        ["last_name"] = a.LastName,
        ["company_name"] = a.CompanyName ?? "",
        ["line_1"] = a.Line1,
        ["line_2"] = a.Line2 ?? "",
        ["city"] = a.City ?? "",
        ["postcode"] = a.Postcode,
        ["county"] = a.County ?? "",
        ["region"] = a.Region,
        ["country"] = a.Country,
        ["phone_number"] = a.PhoneNumber ?? "",
        ["instructions"] = a.Instructions ?? "",
    };

    public static JsonObject Order(OrderDto o, IReadOnlyList<OrderItemDto>? items = null)
    {
        var relationships = new JsonObject();
        if (items is not null)
        {
            relationships["items"] = new JsonObject
            {
                ["data"] = new JsonArray(items.Select(i => (JsonNode)new JsonObject { ["type"] = "item", ["id"] = i.Id.ToString() }).ToArray()),
            };
        }
        relationships["customer"] = new JsonObject
        {
            ["data"] = o.CustomerId is { } id ? new JsonObject { ["type"] = "customer", ["id"] = id.ToString() } : null,
        };
        return new JsonObject
        {
            ["type"] = "order",
            ["id"] = o.Id.ToString(),
            ["status"] = OrderTransitions.Word(o.Status),
            ["payment"] = OrderTransitions.Word(o.Payment),
            ["shipping"] = OrderTransitions.Word(o.Shipping),
            ["anonymized"] = false,
            ["customer"] = new JsonObject { ["name"] = o.CustomerName, ["email"] = o.CustomerEmail },
            ["billing_address"] = Address(o.BillingAddress),
            ["shipping_address"] = Address(o.ShippingAddress),
            ["links"] = new JsonObject(),
            ["meta"] = new JsonObject
            {
                ["display_price"] = DisplayPrice(o.Total, o.Tax, o.Currency),
                ["timestamps"] = ApiJson.Timestamps(o.CreatedAt, o.UpdatedAt),
            },
            ["relationships"] = relationships,
        };
    }

    public static JsonObject OrderItem(OrderItemDto i, OrderDto o) => new()
    {
        ["type"] = "order_item",
        ["id"] = i.Id.ToString(),
        ["quantity"] = i.Quantity,
        ["product_id"] = "",
        ["name"] = i.Name,
        ["sku"] = i.Sku,
        ["unit_price"] = new JsonObject { ["amount"] = i.UnitPrice, ["currency"] = o.Currency, ["includes_tax"] = true },
        ["value"] = new JsonObject { ["amount"] = i.LineTotal, ["currency"] = o.Currency, ["includes_tax"] = true },
        ["links"] = new JsonObject(),
        ["meta"] = new JsonObject
        {
            ["display_price"] = new JsonObject
            {
                ["with_tax"] = new JsonObject { ["unit"] = Price(i.UnitPrice, o.Currency), ["value"] = Price(i.LineTotal, o.Currency) },
                ["without_tax"] = new JsonObject { ["unit"] = Price(i.UnitPrice, o.Currency), ["value"] = Price(i.LineTotal, o.Currency) },
                ["tax"] = new JsonObject { ["unit"] = Price(0, o.Currency), ["value"] = Price(0, o.Currency) },
            },
            ["timestamps"] = ApiJson.Timestamps(o.CreatedAt, o.CreatedAt),
        },
        ["relationships"] = new JsonObject(),
    };
}
