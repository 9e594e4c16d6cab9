using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tests.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CommerceManager.Tests.History;

/// <summary>
/// Every change is recorded once, in the save that makes it, with who and through what, and each field before and
/// after; a save that fails records nothing; a deleted customer's history stays.
/// </summary>
public sealed class HistoryRecordingTests : IAsyncLifetime
{
    private TestServices app = default!;
    private static readonly ChangeActor Anna = new(ActorKinds.Staff, "staff-anna", "anna@example.com", ChangeActor.Console);

    public async Task InitializeAsync() => app = await TestServices.CreateAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    private Task<HistoryPage> TimelineAsync(Guid customerId, string? kind = null) =>
        app.Get<HistoryService>().TimelineAsync(As.Viewer, customerId, new HistoryQuery(Kind: kind, Limit: 100));

    private static IReadOnlyDictionary<string, (string? From, string? To)> Fields(HistoryEntry e) =>
        e.Changes.ToDictionary(c => c.Field, c => (c.From, c.To));

    [Fact]
    public async Task A_new_customer_is_recorded_with_its_fields_who_and_how_and_its_password_only_as_set()
    {
        CustomerDto ada;
        using (ChangeContext.Use(Anna))
        {
            ada = (await app.Get<CustomerService>().CreateAsync(As.Admin,
                new CustomerInput { Name = "Ada Lovelace", Email = "ada@example.com", Password = "correct horse battery staple" })).Value!;
        }

        var entries = (await TimelineAsync(ada.Id)).Items;

        Assert.Equal(2, entries.Count);
        var created = Assert.Single(entries, e => e.Kind == ChangeKinds.Details);
        Assert.Equal((ChangeActions.Created, "customer", ada.Id), (created.Action, created.ResourceType, created.ResourceId));
        Assert.Equal((null, "Ada Lovelace"), Fields(created)["name"]);
        Assert.Equal((null, "ada@example.com"), Fields(created)["email"]);
        Assert.Equal((ActorKinds.Staff, "staff-anna", "anna@example.com", ChangeActor.Console),
            (created.ActorKind, created.ActorId, created.ActorName, created.Channel));
        var password = Assert.Single(entries, e => e.Kind == ChangeKinds.SignIn);
        Assert.Equal("Password set", password.Title);
        await using var db = await app.DbAsync();
        var stored = string.Join("\n", await db.ChangeRecords.Select(r => r.Delta).ToListAsync());
        var hash = await db.Customers.Where(c => c.Id == ada.Id).Select(c => c.PasswordHash).SingleAsync();
        Assert.DoesNotContain(hash!, stored);
        Assert.DoesNotContain("correct horse", stored);
    }

    [Fact]
    public async Task An_edit_records_only_the_fields_that_changed_before_and_after_custom_values_included()
    {
        var fields = app.Get<CommerceManager.CustomFields.FieldDesigner>();
        var flow = await fields.EnsureFlowAsync(As.Admin, CommerceManager.CustomFields.Flow.Customers, enabled: true);
        await fields.CreateFieldAsync(As.Admin, flow.Id, new CommerceManager.CustomFields.FieldInput { Name = "Loyalty tier", Slug = "tier", Type = CommerceManager.CustomFields.FieldType.String });
        var customers = app.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;

        using (ChangeContext.Use(Anna))
        {
            var saved = await customers.UpdateAsync(As.Admin, ada.Id, new CustomerInput
            {
                Name = "Ada King", Email = "ada@example.com", Custom = new Dictionary<string, JsonNode?> { ["tier"] = "gold" },
            }, ada.Version);
            Assert.True(saved.IsOk);
        }

        var edit = (await TimelineAsync(ada.Id)).Items[0];
        Assert.Equal(ChangeActions.Updated, edit.Action);
        Assert.Equal(new Dictionary<string, (string?, string?)> { ["name"] = ("Ada", "Ada King"), ["tier"] = (null, "gold") }, Fields(edit));
        Assert.Equal("Loyalty tier", edit.Changes.Single(c => c.Field == "tier").Label);
        Assert.Equal("anna@example.com", edit.Who);
    }

    [Fact]
    public async Task Password_changes_and_signing_out_everywhere_are_sign_in_changes()
    {
        var customers = app.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        ada = (await customers.SetPasswordAsync(As.Admin, ada.Id, "correct horse battery staple", ada.Version)).Value!;
        await customers.SetPasswordAsync(As.Admin, ada.Id, "another long passphrase", ada.Version);
        await customers.SignOutEverywhereAsync(As.Admin, ada.Id);

        var signIn = (await TimelineAsync(ada.Id, ChangeKinds.SignIn)).Items;

        Assert.Equal(["Signed out everywhere", "Password replaced", "Password set"], signIn.Select(e => e.Title));
        Assert.All(signIn, e => Assert.Equal(ChangeKinds.SignIn, e.Kind));
    }

    [Fact]
    public async Task Address_changes_record_the_postal_fields_and_a_deleted_address_keeps_its_history()
    {
        var ada = (await app.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        var addresses = app.Get<AddressService>();
        var input = CheckoutAndOrderTests.Billing();
        input.Name = "Home";
        input.County = "Greater London";
        var home = (await addresses.CreateAsync(As.Admin, ada.Id, input)).Value!;
        var moved = home.ToInput();
        moved.Line1 = "1 Infinite Loop";
        moved.City = "Cupertino";
        await addresses.UpdateAsync(As.Admin, ada.Id, home.Id, moved, home.Version);
        await addresses.DeleteAsync(As.Admin, ada.Id, home.Id);

        var entries = (await TimelineAsync(ada.Id, ChangeKinds.Address)).Items;

        Assert.Equal([ChangeActions.Deleted, ChangeActions.Updated, ChangeActions.Created], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal((home.Id, "Home"), (e.ResourceId, e.Subject)));
        Assert.Equal(new Dictionary<string, (string?, string?)>
        {
            ["line_1"] = ("12 St James's Square", "1 Infinite Loop"),
            ["city"] = ("London", "Cupertino"),
        }, Fields(entries[1]));
        Assert.Equal(("1 Infinite Loop", null), Fields(entries[0])["line_1"]);
        Assert.Equal("Address “Home” deleted", entries[0].Title);
    }

    [Fact]
    public async Task An_orders_creation_and_status_changes_are_on_its_customers_timeline()
    {
        var ada = (await app.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        await app.Get<CartService>().AddItemAsync(As.Admin, "c1", new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 1, Price = 1000 });
        var order = (await app.Get<CheckoutService>().CheckoutAsync(As.Admin, "c1", new CheckoutInput
        {
            CustomerId = ada.Id, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing(),
        })).Value!.Order;
        using (ChangeContext.Use(Anna))
        {
            await app.Get<OrderService>().ChangeStatusAsync(As.Admin, order.Id, new OrderStatusChange(OrderStatus.Processing, PaymentStatus.Paid), null);
        }

        var entries = (await TimelineAsync(ada.Id, ChangeKinds.Order)).Items;

        Assert.Equal([ChangeActions.Updated, ChangeActions.Created], entries.Select(e => e.Action));
        Assert.Equal(("incomplete", "processing"), Fields(entries[0])["status"]);
        Assert.Equal(("unpaid", "paid"), Fields(entries[0])["payment"]);
        Assert.Equal("anna@example.com", entries[0].Who);
        Assert.Equal((null, "1000"), Fields(entries[1])["total"]);
    }

    [Fact]
    public async Task A_save_that_fails_records_nothing()
    {
        var customers = app.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        var factory = app.Get<IDbContextFactory<AppDbContext>>();
        await using var stale = await factory.CreateDbContextAsync();
        var loaded = await stale.Customers.SingleAsync(c => c.Id == ada.Id);
        await customers.UpdateAsync(As.Admin, ada.Id, new CustomerInput { Name = "Ada King", Email = "ada@example.com" }, ada.Version);

        loaded.SetName("Lost update");
        loaded.Version = Guid.NewGuid();
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => stale.SaveChangesAsync());

        var entries = (await TimelineAsync(ada.Id)).Items;
        Assert.Equal(2, entries.Count);
        Assert.DoesNotContain(entries, e => e.Changes.Any(c => c.To == "Lost update"));
    }

    [Fact]
    public async Task A_deleted_customers_history_stays_with_what_it_was()
    {
        var customers = app.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        var bulk = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Bob", Email = "bob@example.com" })).Value!;

        Assert.True(await customers.DeleteAsync(As.Admin, ada.Id));
        await app.Get<CustomerBulk>().DeleteAsync(As.Admin, CustomerSelection.Of([bulk.Id]));

        foreach (var (id, email) in new[] { (ada.Id, "ada@example.com"), (bulk.Id, "bob@example.com") })
        {
            var entries = (await TimelineAsync(id)).Items;
            Assert.Equal([ChangeActions.Deleted, ChangeActions.Created], entries.Select(e => e.Action));
            Assert.Equal((email, null), Fields(entries[0])["email"]);
        }
    }

    [Fact]
    public async Task Keyset_pages_walk_the_timeline_newest_first_without_gaps_or_repeats()
    {
        var customers = app.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada 0", Email = "ada@example.com" })).Value!;
        for (var i = 1; i <= 6; i++)
        {
            ada = (await customers.UpdateAsync(As.Admin, ada.Id, new CustomerInput { Name = $"Ada {i}", Email = "ada@example.com" }, ada.Version)).Value!;
        }
        var history = app.Get<HistoryService>();

        var seen = new List<string?>();
        Guid? before = null;
        do
        {
            var page = await history.TimelineAsync(As.Viewer, ada.Id, new HistoryQuery(Before: before, Limit: 3));
            seen.AddRange(page.Items.Select(e => e.Changes.Single(c => c.Field == "name").To));
            before = page.Next;
        }
        while (before is not null);

        Assert.Equal(["Ada 6", "Ada 5", "Ada 4", "Ada 3", "Ada 2", "Ada 1", "Ada 0"], seen);
    }

    [Fact]
    public async Task Every_staff_role_reads_the_stores_activity_and_customers_do_not()
    {
        var history = app.Get<HistoryService>();
        var ada = (await app.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@activity.example" })).Value!;

        // Issue 40: Viewers and Representatives read Activity too (Home links to it).
        Assert.Contains((await history.ActivityAsync(As.Viewer, new HistoryQuery())).Items, e => e.CustomerId == ada.Id);
        Assert.Contains((await history.ActivityAsync(As.Representative, new HistoryQuery())).Items, e => e.CustomerId == ada.Id);
        await Assert.ThrowsAsync<AccessDeniedException>(() => history.ActivityAsync(As.Role(Roles.Customer), new HistoryQuery()));
        await Assert.ThrowsAsync<AccessDeniedException>(() => history.TimelineAsync(As.Role(Roles.Customer), Guid.NewGuid(), new HistoryQuery()));
    }

    [Fact]
    public async Task Retention_deletes_history_older_than_the_setting_and_keeps_the_rest()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));
        await using var timed = await TestServices.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var customers = timed.Get<CustomerService>();
        var history = timed.Get<HistoryService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        clock.Advance(TimeSpan.FromDays(40));
        await customers.UpdateAsync(As.Admin, ada.Id, new CustomerInput { Name = "Ada King", Email = "ada@example.com" }, ada.Version);

        Assert.Null(await history.RetentionDaysAsync(As.Admin));
        Assert.Equal(0, await history.CleanUpAsync());
        await history.SetRetentionDaysAsync(As.Admin, 30);
        Assert.Equal(1, await history.CleanUpAsync());

        var left = (await history.TimelineAsync(As.Admin, ada.Id, new HistoryQuery())).Items;
        Assert.Equal(ChangeActions.Updated, Assert.Single(left).Action);
        await Assert.ThrowsAsync<FluentValidation.ValidationException>(() => history.SetRetentionDaysAsync(As.Admin, 0));
    }
}
