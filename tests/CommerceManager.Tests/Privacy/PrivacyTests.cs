using System.Text;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Privacy;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tests.Orders;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace CommerceManager.Tests.Privacy;

/// <summary>Privacy requests: the export holds everything; erasure leaves no trace of the person and the accounts still add up.</summary>
public sealed class PrivacyTests : IAsyncLifetime
{
    private TestServices app = default!;

    public async Task InitializeAsync() => app = await TestServices.CreateAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>Zebulon with a password, an address, two orders (one paid) and a guest order under his email; a bystander with an order.</summary>
    private async Task<(CustomerDto Zeb, CustomerDto Other, List<OrderDto> Orders)> StoreAsync()
    {
        var customers = app.Get<CustomerService>();
        var zeb = (await customers.CreateAsync(As.Admin, new CustomerInput
        {
            Name = "Zebulon Quillfeather", Email = "zebulon.quillfeather@example.org", Password = "correct horse battery staple",
        })).Value!;
        zeb = (await customers.UpdateAsync(As.Admin, zeb.Id, new CustomerInput { Name = "Zebulon Quillfeather", Email = "zebulon.quillfeather@example.org", ExternalRef = "crm-Quillfeather" }, zeb.Version)).Value!;
        var other = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada Lovelace", Email = "ada@example.com" })).Value!;
        var home = CheckoutAndOrderTests.Billing();
        home.FirstName = "Zebulon";
        home.LastName = "Quillfeather";
        home.Line1 = "42 Quillfeather Lane";
        home.County = "Kent";
        await app.Get<AddressService>().CreateAsync(As.Admin, zeb.Id, home);
        var carts = app.Get<CartService>();
        var checkout = app.Get<CheckoutService>();
        var orders = new List<OrderDto>();
        foreach (var (customerId, email, price) in new (Guid?, string?, long)[] { (zeb.Id, null, 1000), (zeb.Id, null, 2500), (null, "Zebulon.Quillfeather@example.org", 700), (other.Id, null, 900) })
        {
            var cart = $"cart-{orders.Count}";
            await carts.AddItemAsync(As.Admin, cart, new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 2, Price = price });
            orders.Add((await checkout.CheckoutAsync(As.Admin, cart, new CheckoutInput
            {
                CustomerId = customerId, Name = customerId is null ? "Zebulon Quillfeather" : null, Email = email,
                // The bystander ships to her own address.
                BillingAddress = customerId == other.Id ? CheckoutAndOrderTests.Billing() : home,
                ShippingAddress = customerId == other.Id ? CheckoutAndOrderTests.Billing() : home,
            })).Value!.Order);
        }
        await app.Get<OrderService>().ChangeStatusAsync(As.Admin, orders[1].Id, new OrderStatusChange(Payment: PaymentStatus.Paid), null);
        return (zeb, other, orders);
    }

    [Fact]
    public async Task The_export_holds_details_custom_values_addresses_orders_with_items_sign_in_and_history()
    {
        var (zeb, _, orders) = await StoreAsync();

        var export = (await app.Get<PrivacyService>().ExportAsync(As.Admin, zeb.Id))!;

        Assert.Equal(("Zebulon Quillfeather", "zebulon.quillfeather@example.org", "set", "crm-Quillfeather"),
            (export["customer"]!["name"]!.GetValue<string>(), export["customer"]!["email"]!.GetValue<string>(),
                export["customer"]!["password"]!.GetValue<string>(), export["customer"]!["external_ref"]!.GetValue<string>()));
        Assert.Equal("42 Quillfeather Lane", export["addresses"]![0]!["postal"]!["line_1"]!.GetValue<string>());
        var exported = export["orders"]!.AsArray();
        Assert.Equal(3, exported.Count); // two linked and the guest order under his email; not the bystander's
        Assert.DoesNotContain(exported, o => o!["id"]!.GetValue<string>() == orders[3].Id.ToString());
        Assert.Equal(("Mug", 2), (exported[0]!["items"]![0]!["name"]!.GetValue<string>(), exported[0]!["items"]![0]!["quantity"]!.GetValue<int>()));
        Assert.Equal("set", export["sign_in"]!["password"]!.GetValue<string>());
        var history = export["history"]!.AsArray();
        Assert.Contains(history, e => e!["summary"]!.GetValue<string>() == "Password set");
        Assert.Contains(history, e => e!["changes"]!.AsArray().Any(c => c!["field"]!.GetValue<string>() == "external_ref"));
        Assert.DoesNotContain("AQAAAA", export.ToJsonString()); // no password hash

        var html = await PersonalDataHtml.RenderAsync(export);
        Assert.Contains("Personal data of Zebulon Quillfeather", html);
        Assert.Contains("42 Quillfeather Lane", html);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public async Task Erasure_keeps_the_money_facts_records_itself_and_frees_the_email()
    {
        var (zeb, other, orders) = await StoreAsync();
        await using (var before = await app.DbAsync())
        {
            Assert.Equal(4, await before.Orders.CountAsync());
        }
        long[] totals;
        await using (var db = await app.DbAsync())
        {
            totals = await db.Orders.OrderBy(o => o.CreatedAt).Select(o => o.Total + o.Tax).ToArrayAsync();
        }
        using var actor = ChangeContext.Use(new ChangeActor(ActorKinds.Staff, "u-admin", "admin@example.com", ChangeActor.Console));

        var outcome = await app.Get<PrivacyService>().EraseCustomerAsync(As.Admin, zeb.Id, "TICKET-7");

        Assert.True(outcome.IsOk);
        Assert.Equal((ErasureStatus.Success, 3, 1, "TICKET-7"), (outcome.Value!.Status, outcome.Value.OrdersAnonymized, outcome.Value.AddressesDeleted, outcome.Value.Reference));
        await using (var db = await app.DbAsync())
        {
            var after = await db.Orders.AsNoTracking().Include(o => o.Items).OrderBy(o => o.CreatedAt).ToListAsync();
            Assert.Equal(totals, after.Select(o => o.Total + o.Tax));
            Assert.All(after.Take(3), o => Assert.Equal(("", "", null, "", "GB"), (o.CustomerName, o.CustomerEmail, o.CustomerId, o.BillingAddress.Line1, o.BillingAddress.Country)));
            Assert.All(after, o => Assert.Single(o.Items));
            Assert.Equal(PaymentStatus.Paid, after[1].Payment);
            Assert.Equal(other.Id, after[3].CustomerId);
            Assert.Equal("Ada Lovelace", after[3].CustomerName);
            Assert.Equal(0, await db.Customers.CountAsync(c => c.Id == zeb.Id));
            Assert.Equal(0, await db.Addresses.CountAsync(a => a.CustomerId == zeb.Id));
        }
        var timeline = (await app.Get<HistoryService>().TimelineAsync(As.Admin, zeb.Id, new HistoryQuery(Limit: 100))).Items;
        Assert.Equal(ChangeActions.Erased, timeline[0].Action);
        Assert.Equal("admin@example.com", timeline[0].Who);
        Assert.All(timeline.Skip(1), e => Assert.Empty(e.Changes));
        Assert.All(timeline, e => Assert.Null(e.Subject));

        var again = await app.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Zeb", Email = "zebulon.quillfeather@example.org" });
        Assert.True(again.IsOk);
        Assert.Equal(0, (await app.Get<CustomerService>().ListAsync(As.Admin, new CustomerQuery(Filter: $"eq(email,zebulon.quillfeather@example.org)"))).Items.Count(c => c.Id == zeb.Id));
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task After_erasure_the_database_file_holds_no_trace_of_the_name_email_or_address()
    {
        var (zeb, _, _) = await StoreAsync();
        var file = new SqliteConnectionStringBuilder(app.Get<IConfiguration>().GetConnectionString("Default")).DataSource;
        Assert.True(Contains(file, "quillfeather"), "the test must see the name in the file before the erasure");

        Assert.True((await app.Get<PrivacyService>().EraseCustomerAsync(As.Admin, zeb.Id)).IsOk);

        var left = Where(file, "quillfeather");
        Assert.True(left is null, left);
        Assert.False(Contains(file, "zebulon"));
    }

    /// <summary>Case-insensitive search of the database file and its write-ahead log, byte by byte (ASCII folding).</summary>
    private static bool Contains(string databaseFile, string text) => Where(databaseFile, text) is not null;

    /// <summary>Where the text is: the file, the offset, the page and the bytes around it (for the failure message).</summary>
    private static string? Where(string databaseFile, string text)
    {
        SqliteConnection.ClearAllPools();
        var needle = Encoding.UTF8.GetBytes(text.ToLowerInvariant());
        foreach (var path in new[] { databaseFile, databaseFile + "-wal" })
        {
            if (!File.Exists(path))
            {
                continue;
            }
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] is >= (byte)'A' and <= (byte)'Z')
                {
                    bytes[i] = (byte)(bytes[i] + 32);
                }
            }
            if (bytes.AsSpan().IndexOf(needle) is >= 0 and var at)
            {
                var around = Encoding.ASCII.GetString(bytes, Math.Max(0, at - 60), Math.Min(160, bytes.Length - Math.Max(0, at - 60)))
                    .Select(c => c is >= ' ' and <= '~' ? c : '.').ToArray();
                return $"{Path.GetFileName(path)} at {at} (page {at / 4096 + 1}): {new string(around)}";
            }
        }
        return null;
    }

    [Fact]
    public async Task Orders_are_anonymized_only_when_finished()
    {
        var (_, _, orders) = await StoreAsync();
        var privacy = app.Get<PrivacyService>();

        var open = await privacy.AnonymizeOrdersAsync(As.Admin, [orders[0].Id]);
        await app.Get<OrderService>().ChangeStatusAsync(As.Admin, orders[0].Id, new OrderStatusChange(Status: OrderStatus.Cancelled), null);
        var done = await privacy.AnonymizeOrdersAsync(As.Admin, [orders[0].Id]);

        Assert.Equal(Common.OutcomeKind.Refused, open.Kind);
        Assert.True(done.IsOk);
        var order = (await app.Get<OrderService>().GetAsync(As.Admin, orders[0].Id))!.Order;
        Assert.Equal(("", ""), (order.CustomerName, order.CustomerEmail));
        await Assert.ThrowsAsync<CommerceManager.Security.AccessDeniedException>(() => privacy.EraseCustomerAsync(As.Representative, Guid.NewGuid()));
    }
}
