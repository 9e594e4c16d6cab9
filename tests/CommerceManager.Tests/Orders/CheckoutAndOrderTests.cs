using System.Data.Common;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Common;
using CommerceManager.Querying;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using System.Security.Claims;

namespace CommerceManager.Tests.Orders;

public sealed class CheckoutAndOrderTests : IAsyncLifetime
{
    private TestServices services = default!;
    private CustomerDto ada = default!;
    private CheckoutService Checkout => services.Get<CheckoutService>();
    private CartService Carts => services.Get<CartService>();
    private OrderService Orders => services.Get<OrderService>();

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        ada = (await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada Lovelace", Email = "ada@example.com" })).Value!;
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    public static AddressInput Billing() => new()
    {
        FirstName = "Ada", LastName = "Lovelace", Line1 = "12 St James's Square", City = "London", Region = "England",
        Postcode = "SW1Y 4JH", Country = "GB",
    };

    private async Task FillCartAsync(string cart)
    {
        await Carts.AddItemAsync(As.Representative, cart, new CartItemInput { Name = "Ceramic mug", Sku = "MUG-1", Quantity = 2, Price = 1450 });
        await Carts.AddItemAsync(As.Representative, cart, new CartItemInput { Name = "Espresso beans", Sku = "BEANS-1", Quantity = 1, Price = 3200 });
    }

    private static ClaimsPrincipal CustomerToken(Guid id) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Role, Roles.Storefront), new Claim(ClaimTypes.Role, Roles.Customer), new Claim(Roles.CustomerIdClaim, id.ToString()),
    ], "test"));

    private static readonly ClaimsPrincipal Storefront = new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Storefront)], "test"));

    [Fact]
    public async Task Checkout_with_a_customer_id_links_the_order_and_snapshots_name_email_addresses_and_items()
    {
        await FillCartAsync("cart-1");

        var outcome = await Checkout.CheckoutAsync(As.Representative, "cart-1", new CheckoutInput { CustomerId = ada.Id, BillingAddress = Billing(), ShippingAddress = Billing() });

        Assert.True(outcome.IsOk);
        var order = outcome.Value!.Order;
        Assert.Equal((ada.Id, "Ada Lovelace", "ada@example.com"), (order.CustomerId, order.CustomerName, order.CustomerEmail));
        Assert.Equal((OrderStatus.Incomplete, PaymentStatus.Unpaid, ShippingStatus.Unfulfilled), (order.Status, order.Payment, order.Shipping));
        Assert.Equal((2 * 1450 + 3200, 3, "USD", "$61.00"), (order.Total, order.ItemCount, order.Currency, order.FormattedTotal));
        var detail = await Orders.GetAsync(As.Viewer, order.Id);
        Assert.Equal(["Ceramic mug", "Espresso beans"], detail!.Items.Select(i => i.Name).Order());
        Assert.Equal(2900, detail.Items.Single(i => i.Sku == "MUG-1").LineTotal);
        Assert.Equal(("England", "GB"), (detail.Order.ShippingAddress.Region, detail.Order.ShippingAddress.Country));
        Assert.Equal("created", Assert.Single(detail.Events).Field);
    }

    [Fact]
    public async Task A_guest_checkout_is_never_linked_even_with_a_registered_customers_email()
    {
        await FillCartAsync("cart-guest");

        var outcome = await Checkout.CheckoutAsync(Storefront, "cart-guest",
            new CheckoutInput { Name = "Someone", Email = "ADA@example.com", BillingAddress = Billing(), ShippingAddress = Billing() });

        Assert.True(outcome.IsOk);
        Assert.Null(outcome.Value!.Order.CustomerId);
        Assert.Equal(0, (await Orders.ListAsync(As.Viewer, new OrderQuery($"eq(customer_id,{ada.Id})"))).Total);
        Assert.Equal(1, (await Orders.ListAsync(As.Viewer, new OrderQuery("eq(email,ada@example.com)"))).Total);
    }

    [Fact]
    public async Task A_guest_needs_a_name_and_an_email_and_both_addresses_are_validated()
    {
        await FillCartAsync("cart-bad");
        var shipping = Billing();
        shipping.Region = null;
        shipping.Country = "ZZ";

        var ex = await Assert.ThrowsAsync<ValidationException>(() => Checkout.CheckoutAsync(Storefront, "cart-bad",
            new CheckoutInput { Email = "not an email", BillingAddress = null, ShippingAddress = shipping }));

        var fields = ex.Errors.Select(e => e.PropertyName).ToHashSet();
        Assert.Contains("Name", fields);
        Assert.Contains("Email", fields);
        Assert.Contains("BillingAddress", fields);
        Assert.Contains("ShippingAddress.Region", fields);
        Assert.Contains("ShippingAddress.Country", fields);
        await using var db = await services.DbAsync();
        Assert.Equal(0, await db.Orders.CountAsync());
    }

    [Fact]
    public async Task An_empty_or_unknown_cart_cannot_be_checked_out()
    {
        var outcome = await Checkout.CheckoutAsync(Storefront, "never-used", new CheckoutInput { Name = "A", Email = "a@example.com", BillingAddress = Billing(), ShippingAddress = Billing() });

        Assert.Equal((OutcomeKind.Refused, CheckoutService.EmptyCart), (outcome.Kind, outcome.Error));
    }

    [Fact]
    public async Task A_customer_token_checks_out_only_as_itself_while_a_storefront_without_one_may_name_any_customer_as_in_EP()
    {
        await FillCartAsync("cart-token");
        var grace = (await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Grace", Email = "grace@example.com" })).Value!;
        var input = new CheckoutInput { CustomerId = grace.Id, BillingAddress = Billing(), ShippingAddress = Billing() };

        var asAda = await Checkout.CheckoutAsync(CustomerToken(ada.Id), "cart-token", input);
        var asGrace = await Checkout.CheckoutAsync(CustomerToken(grace.Id), "cart-token", input);
        var storefront = await Checkout.CheckoutAsync(Storefront, "cart-token", input);
        var unknown = await Checkout.CheckoutAsync(Storefront, "cart-token", new CheckoutInput { CustomerId = Guid.NewGuid(), BillingAddress = Billing(), ShippingAddress = Billing() });

        Assert.Equal((OutcomeKind.Refused, CheckoutService.UnknownCustomer), (asAda.Kind, asAda.Error));
        Assert.Equal(grace.Id, asGrace.Value!.Order.CustomerId);
        Assert.Equal(grace.Id, storefront.Value!.Order.CustomerId);
        Assert.Equal((OutcomeKind.Refused, CheckoutService.UnknownCustomer), (unknown.Kind, unknown.Error));
    }

    [Fact]
    public async Task Checkout_is_all_or_nothing()
    {
        // The real services and database, plus an interceptor that fails while the order's items are written.
        await using var failing = await TestServices.CreateAsync(s => s.ConfigureDbContext<AppDbContext>(o => o.AddInterceptors(new FailOnOrderItems())));
        var carts = failing.Get<CartService>();
        var checkout = failing.Get<CheckoutService>();
        await carts.AddItemAsync(As.Representative, "c", new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 1, Price = 100 });

        await Assert.ThrowsAsync<DbUpdateException>(() =>
            checkout.CheckoutAsync(As.Representative, "c", new CheckoutInput { Name = "A", Email = "a@example.com", BillingAddress = Billing(), ShippingAddress = Billing() }));

        await using var check = await failing.DbAsync();
        Assert.Equal(0, await check.Orders.CountAsync());
        Assert.Equal(0, await check.OrderItems.CountAsync());
        Assert.Equal(0, await check.Set<OrderEvent>().CountAsync());
    }

    [Fact]
    public async Task Deleting_a_customer_keeps_their_orders_with_snapshots_but_removes_the_link()
    {
        await FillCartAsync("cart-del");
        var order = (await Checkout.CheckoutAsync(As.Representative, "cart-del",
            new CheckoutInput { CustomerId = ada.Id, BillingAddress = Billing(), ShippingAddress = Billing() })).Value!.Order;

        await services.Get<CustomerService>().DeleteAsync(As.Admin, ada.Id);

        var kept = await Orders.GetAsync(As.Viewer, order.Id);
        Assert.NotNull(kept);
        Assert.Null(kept.Order.CustomerId);
        Assert.Equal(("Ada Lovelace", "ada@example.com", "12 St James's Square"), (kept.Order.CustomerName, kept.Order.CustomerEmail, kept.Order.BillingAddress.Line1));
        Assert.Equal(2, kept.Items.Count);
    }

    [Fact]
    public async Task Status_moves_along_allowed_transitions_and_records_history()
    {
        await FillCartAsync("cart-s");
        var order = (await Checkout.CheckoutAsync(As.Representative, "cart-s", new CheckoutInput { CustomerId = ada.Id, BillingAddress = Billing(), ShippingAddress = Billing() })).Value!.Order;

        var paid = await Orders.ChangeStatusAsync(As.Representative, order.Id, new OrderStatusChange(OrderStatus.Processing, PaymentStatus.Paid), order.Version);
        var shipped = await Orders.ChangeStatusAsync(As.Representative, order.Id, new OrderStatusChange(OrderStatus.Complete, Shipping: ShippingStatus.Fulfilled), null);

        Assert.True(paid.IsOk);
        Assert.True(shipped.IsOk);
        var detail = shipped.Value!;
        Assert.Equal((OrderStatus.Complete, PaymentStatus.Paid, ShippingStatus.Fulfilled), (detail.Order.Status, detail.Order.Payment, detail.Order.Shipping));
        Assert.Equal(["created", "status", "payment", "status", "shipping"], detail.Events.Select(e => e.Field));
        Assert.All(detail.Events.Skip(1), e => Assert.Equal("rep@example.com", e.By));
        Assert.Equal([PaymentStatus.Refunded], detail.NextPayments);
        Assert.Empty(detail.NextStatuses);
    }

    [Theory]
    [InlineData(OrderStatus.Cancelled, null, ShippingStatus.Fulfilled, "A cancelled order cannot be shipped.")]
    [InlineData(OrderStatus.Cancelled, null, null, "An order that is cancelled cannot move to processing.")]
    [InlineData(null, PaymentStatus.Paid, null, "A cancelled order cannot take a payment.")]
    public async Task A_cancelled_order_refuses_invalid_changes_with_the_reason(OrderStatus? firstStatus, PaymentStatus? payment, ShippingStatus? shipping, string reason)
    {
        await FillCartAsync("cart-c");
        var order = (await Checkout.CheckoutAsync(As.Representative, "cart-c", new CheckoutInput { Name = "G", Email = "g@example.com", BillingAddress = Billing(), ShippingAddress = Billing() })).Value!.Order;
        await Orders.ChangeStatusAsync(As.Representative, order.Id, new OrderStatusChange(OrderStatus.Cancelled), null);

        var next = firstStatus == OrderStatus.Cancelled && shipping is null && payment is null
            ? new OrderStatusChange(OrderStatus.Processing)
            : new OrderStatusChange(null, payment, shipping);
        var outcome = await Orders.ChangeStatusAsync(As.Representative, order.Id, next, null);

        Assert.Equal((OutcomeKind.Refused, reason), (outcome.Kind, outcome.Error));
        Assert.Equal(OrderStatus.Cancelled, (await Orders.GetAsync(As.Viewer, order.Id))!.Order.Status);
    }

    [Fact]
    public async Task A_fulfilled_order_cannot_be_cancelled_and_viewers_cannot_change_status()
    {
        await FillCartAsync("cart-f");
        var order = (await Checkout.CheckoutAsync(As.Representative, "cart-f", new CheckoutInput { Name = "G", Email = "g@example.com", BillingAddress = Billing(), ShippingAddress = Billing() })).Value!.Order;
        await Orders.ChangeStatusAsync(As.Representative, order.Id, new OrderStatusChange(Shipping: ShippingStatus.Fulfilled), null);

        var cancel = await Orders.ChangeStatusAsync(As.Representative, order.Id, new OrderStatusChange(OrderStatus.Cancelled), null);

        Assert.Equal(OutcomeKind.Refused, cancel.Kind);
        Assert.Contains("cannot be cancelled", cancel.Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Orders.ChangeStatusAsync(As.Viewer, order.Id, new OrderStatusChange(OrderStatus.Complete), null));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Orders.ChangeStatusAsync(CustomerToken(ada.Id), order.Id, new OrderStatusChange(OrderStatus.Complete), null));
    }

    [Fact]
    public async Task Orders_filter_by_customer_email_name_status_and_dates_and_a_customer_token_sees_only_its_own()
    {
        await FillCartAsync("cart-l");
        await Checkout.CheckoutAsync(As.Representative, "cart-l", new CheckoutInput { CustomerId = ada.Id, BillingAddress = Billing(), ShippingAddress = Billing() });
        var guest = (await Checkout.CheckoutAsync(As.Representative, "cart-l", new CheckoutInput { Name = "Émile Zola", Email = "emile@paris.example", BillingAddress = Billing(), ShippingAddress = Billing() })).Value!.Order;
        await Orders.ChangeStatusAsync(As.Representative, guest.Id, new OrderStatusChange(OrderStatus.Processing), null);

        async Task<int> Count(string filter, ClaimsPrincipal? who = null) => (await Orders.ListAsync(who ?? As.Viewer, new OrderQuery(filter))).Total;

        Assert.Equal(1, await Count($"eq(customer_id,{ada.Id})"));
        Assert.Equal(1, await Count("like(name,*emile*)"));
        Assert.Equal(1, await Count("eq(email,EMILE@paris.example)"));
        Assert.Equal(1, await Count("like(email,*@paris.example)"));
        Assert.Equal(1, await Count("eq(status,processing)"));
        Assert.Equal(2, await Count("eq(payment,unpaid):eq(shipping,unfulfilled)"));
        Assert.Equal(2, await Count($"ge(created_at,{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd})"));
        Assert.Equal(0, await Count($"lt(created_at,{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd})"));
        Assert.Equal(1, await Count("", CustomerToken(ada.Id)));
        Assert.Equal(0, await Count("eq(email,emile@paris.example)", CustomerToken(Guid.NewGuid())));
        Assert.Null(await Orders.GetAsync(CustomerToken(ada.Id), guest.Id));
        await Assert.ThrowsAsync<FilterException>(() => Orders.ListAsync(As.Viewer, new OrderQuery("eq(status,shipped)")));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Orders.ListAsync(Storefront, new OrderQuery()));
    }

    private sealed class FailOnOrderItems : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            command.CommandText.Contains("INSERT INTO \"OrderItems\"", StringComparison.Ordinal)
                ? throw new InvalidOperationException("Simulated failure while writing order items.")
                : base.ReaderExecutingAsync(command, eventData, result, cancellationToken);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            command.CommandText.Contains("INSERT INTO \"OrderItems\"", StringComparison.Ordinal)
                ? throw new InvalidOperationException("Simulated failure while writing order items.")
                : base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }
}
