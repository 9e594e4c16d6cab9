using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.CustomFields;
using CommerceManager.CustomerSignIn;
using CommerceManager.Customers;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Privacy;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tests.Orders;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Customers;

/// <summary>
/// Bulk delete and bulk set-field can be undone for 30 days, like a merge, and each bulk job is one line on the Activity
/// page that opens onto its changes (issue 40, item 5).
/// </summary>
public sealed class BulkUndoTests : IAsyncLifetime
{
    private TestServices services = default!;
    private CustomerService Customers => services.Get<CustomerService>();
    private CustomerBulk Bulk => services.Get<CustomerBulk>();
    private HistoryService History => services.Get<HistoryService>();

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        await TierStore.CreateAsync(services.Get<FieldDesigner>(), Customers);
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<CustomerDto> OneAsync(string name) =>
        (await Customers.ListAsync(As.Viewer, new CustomerQuery($"eq(name,{name})"))).Items.Single();

    private async Task<Guid> OrderAsync(Guid customer, long price)
    {
        var cart = $"cart-{Guid.NewGuid():N}";
        await services.Get<CartService>().AddItemAsync(As.Admin, cart, new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 1, Price = price });
        return (await services.Get<CheckoutService>().CheckoutAsync(As.Admin, cart, new CheckoutInput
        {
            CustomerId = customer, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing(),
        })).Value!.Order.Id;
    }

    private async Task<string> TierOfAsync(string name)
    {
        var fields = await services.Get<CustomFieldValues>().EnabledFieldsAsync(Flow.Customers);
        return CustomFieldsEditor.ValuesOf(fields, (await OneAsync(name)).CustomData)["tier"]?.GetValue<string>() ?? "(none)";
    }

    [Fact]
    public async Task Undoing_a_bulk_delete_brings_the_customers_back_with_their_password_addresses_orders_and_sign_in_links()
    {
        var ada = await OneAsync("Ada");
        Assert.True((await Customers.SetPasswordAsync(As.Admin, ada.Id, "a long enough password", null)).IsOk);
        var home = (await services.Get<AddressService>().CreateAsync(As.Admin, ada.Id, new AddressInput
        {
            Name = "Home", FirstName = "Ada", LastName = "Lovelace", Line1 = "12 St James's Square", City = "London", County = "Greater London",
            Postcode = "SW1Y 4JH", Country = "GB", PhoneNumber = "020 7946 0001",
        })).Value!;
        var order = await OrderAsync(ada.Id, 2500);
        var login = Guid.NewGuid();
        await using (var db = await services.DbAsync())
        {
            var profile = new OidcProfile
            {
                Id = Guid.NewGuid(), Name = "Provider", DiscoveryUrl = "https://id.example/.well-known/openid-configuration", ClientId = "store",
                ProtectedClientSecret = "x", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            };
            db.OidcProfiles.Add(profile);
            db.CustomerLogins.Add(new CustomerLogin { Id = login, CustomerId = ada.Id, ProfileId = profile.Id, Subject = "ada", CreatedAt = DateTime.UtcNow, LastSignInAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var gold = CustomerSelection.AllMatching(new CustomerQuery("eq(tier,Gold)"));

        var deleted = await Bulk.DeleteAsync(As.Representative, gold);

        Assert.Equal(2, deleted.Count);
        Assert.Null(await Customers.GetAsync(As.Admin, ada.Id));
        await using (var db = await services.DbAsync())
        {
            Assert.Null((await db.Orders.AsNoTracking().SingleAsync(o => o.Id == order)).CustomerId);
        }

        var undone = await Bulk.UndoAsync(As.Admin, deleted.JobId);

        Assert.True(undone.IsOk, undone.Error);
        Assert.Equal((2, 0), (undone.Value!.Count, undone.Value.Skipped));
        var back = (await Customers.GetAsync(As.Admin, ada.Id))!;
        Assert.Equal(("Ada", "ada@example.com", true, 1, 2500L), (back.Name, back.Email, back.HasPassword, back.OrderCount, back.OrdersTotal));
        Assert.Equal("Gold", await TierOfAsync("Ada"));
        Assert.Equal("Ada,Alan", string.Join(",", (await Customers.ListAsync(As.Viewer, new CustomerQuery("eq(tier,Gold)", "name"))).Items.Select(c => c.Name)));
        await using (var db = await services.DbAsync())
        {
            var address = await db.Addresses.AsNoTracking().SingleAsync(a => a.CustomerId == ada.Id);
            Assert.Equal((home.Id, "Home", "SW1Y 4JH"), (address.Id, address.Name, address.Postal.Postcode));
            Assert.Equal(ada.Id, (await db.Orders.AsNoTracking().SingleAsync(o => o.Id == order)).CustomerId);
            Assert.Equal(ada.Id, (await db.CustomerLogins.AsNoTracking().SingleAsync(l => l.Id == login)).CustomerId);
        }
        // The one box finds her by her address's postcode again (the database's search keys came back with the address).
        Assert.Equal(ada.Id, (await Customers.ListAsync(As.Viewer, new CustomerQuery(Search: "SW1Y4JH"))).Items.Single().Id);

        var twice = await Bulk.UndoAsync(As.Admin, deleted.JobId);
        Assert.False(twice.IsOk);
        Assert.Contains("undone already", twice.Error);
    }

    [Fact]
    public async Task A_bulk_job_is_one_line_on_the_Activity_page_that_lists_its_changes_while_each_timeline_keeps_its_own()
    {
        var alan = await OneAsync("Alan");
        var before = await History.ActivityAsync(As.Viewer, new HistoryQuery(Limit: 100));

        var job = await Bulk.SetFieldAsync(As.Admin, CustomerSelection.AllMatching(new CustomerQuery()), "tier", JsonValue.Create("Platinum"));

        var after = await History.ActivityAsync(As.Viewer, new HistoryQuery(Limit: 100));
        var line = Assert.Single(after.Items.Take(after.Items.Count - before.Items.Count));
        Assert.Equal(("Bulk set “Tier” to “Platinum”: 5 customers", "admin@example.com", job.JobId), (line.Title, line.Who, line.ResourceId));
        var changes = await History.BatchAsync(As.Viewer, job.JobId, limit: 3);
        Assert.Equal(3, changes.Items.Count);
        Assert.NotNull(changes.Next);
        var rest = await History.BatchAsync(As.Viewer, job.JobId, changes.Next, limit: 3);
        Assert.Equal(2, rest.Items.Count);
        Assert.Null(rest.Next);
        Assert.All(changes.Items.Concat(rest.Items), c => Assert.Equal("Platinum", c.Changes.Single(f => f.Label == "Tier").To));
        var timeline = await History.TimelineAsync(As.Viewer, alan.Id, new HistoryQuery());
        Assert.Equal(("Gold", "Platinum"), (timeline.Items[0].Changes.Single().From, timeline.Items[0].Changes.Single().To));
        // A search for one customer's changes shows its part of the job.
        var found = await History.ActivityAsync(As.Viewer, new HistoryQuery(CustomerIds: [alan.Id]));
        Assert.Contains(found.Items, e => e.Changes.Any(c => c.To == "Platinum"));
        Assert.Equal(job.JobId, (await History.ActivityAsync(As.Viewer, new HistoryQuery(Job: job.JobId))).Items.Single().ResourceId);
    }

    [Fact]
    public async Task Undoing_a_field_set_puts_back_each_value_it_replaced_and_leaves_those_changed_or_deleted_since()
    {
        var job = await Bulk.SetFieldAsync(As.Representative, CustomerSelection.AllMatching(new CustomerQuery()), "tier", JsonValue.Create("Platinum"));
        Assert.Equal(5, job.Count);
        var grace = await OneAsync("Grace");
        Assert.True((await Customers.UpdateAsync(As.Admin, grace.Id, new CustomerInput
        {
            Name = grace.Name, Email = grace.Email, Custom = new() { ["tier"] = "Diamond" },
        }, grace.Version)).IsOk);
        Assert.Equal(1, (await Bulk.DeleteAsync(As.Admin, CustomerSelection.Of([(await OneAsync("Katherine")).Id]))).Count);

        var undone = await Bulk.UndoAsync(As.Representative, job.JobId);

        Assert.True(undone.IsOk, undone.Error);
        Assert.Equal((3, 2), (undone.Value!.Count, undone.Value.Skipped));
        Assert.Contains("changed again since", undone.Value.SkippedWhy);
        Assert.Contains("deleted since", undone.Value.SkippedWhy);
        Assert.Equal(("Gold", "Gold", "Diamond"), (await TierOfAsync("Ada"), await TierOfAsync("Alan"), await TierOfAsync("Grace")));
        // Eve had no tier before: she has none again (not an empty one).
        Assert.Equal("(none)", await TierOfAsync("Eve"));
        Assert.DoesNotContain((await services.Get<CustomFieldValues>().FieldsAsync(Flow.Customers)).Single(f => f.Slug == "tier").Id.ToString(),
            (await OneAsync("Eve")).CustomData ?? "");
        var jobs = await Bulk.JobsAsync(As.Viewer, [job.JobId]);
        Assert.Equal("rep@example.com", jobs[job.JobId].UndoneBy);
        Assert.False(Bulk.CanUndo(jobs[job.JobId]));
        // The undo is a job of its own, one line too.
        var lines = (await History.ActivityAsync(As.Viewer, new HistoryQuery(Limit: 5))).Items.Where(e => e.ResourceType == BulkJobs.ResourceType).ToList();
        Assert.Equal("Undo of bulk set “Tier” to “Platinum”: 5 customers", lines[0].Title);
    }

    [Fact]
    public async Task A_deleted_customer_whose_email_was_taken_since_stays_deleted_and_the_others_come_back()
    {
        var deleted = await Bulk.DeleteAsync(As.Admin, CustomerSelection.AllMatching(new CustomerQuery("eq(tier,Gold)")));
        Assert.True((await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Another Ada", Email = "ADA@example.com" })).IsOk);

        var undone = await Bulk.UndoAsync(As.Admin, deleted.JobId);

        Assert.True(undone.IsOk, undone.Error);
        Assert.Equal((1, 1), (undone.Value!.Count, undone.Value.Skipped));
        Assert.Contains("email belongs to another customer", undone.Value.SkippedWhy);
        Assert.Equal("Another Ada", (await Customers.ListAsync(As.Viewer, new CustomerQuery("eq(email,ada@example.com)"))).Items.Single().Name);
        Assert.Equal("Alan", (await OneAsync("Alan")).Name);
    }

    [Fact]
    public async Task After_30_days_a_job_can_not_be_undone_and_what_it_kept_is_forgotten_and_erasure_forgets_it_at_once()
    {
        var deleted = await Bulk.DeleteAsync(As.Admin, CustomerSelection.AllMatching(new CustomerQuery("eq(tier,Gold)")));
        var ada = (await History.BatchAsync(As.Viewer, deleted.JobId)).Items.Single(e => e.Subject == "Ada").CustomerId!.Value;
        await using (var db = await services.DbAsync())
        {
            Assert.Equal(2, await db.CustomerBulkJobItems.CountAsync(i => i.JobId == deleted.JobId));
        }

        // Erasing a deleted customer's personal data takes what the job kept of her.
        Assert.True((await services.Get<PrivacyService>().EraseCustomerAsync(As.Admin, ada)).IsOk);
        await using (var db = await services.DbAsync())
        {
            Assert.False(await db.CustomerBulkJobItems.AnyAsync(i => i.CustomerId == ada));
            await db.CustomerBulkJobs.Where(j => j.Id == deleted.JobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.UndoUntil, DateTime.UtcNow.AddMinutes(-1)));
        }

        var late = await Bulk.UndoAsync(As.Admin, deleted.JobId);

        Assert.False(late.IsOk);
        Assert.Contains("30 days", late.Error);
        Assert.Equal(1, await Bulk.ForgetExpiredAsync());
        await using (var db = await services.DbAsync())
        {
            Assert.False(await db.CustomerBulkJobItems.AnyAsync(i => i.JobId == deleted.JobId));
            Assert.True(await db.CustomerBulkJobs.AnyAsync(j => j.Id == deleted.JobId));
        }
        Assert.Null(await Customers.GetAsync(As.Admin, ada));
    }

    [Fact]
    public async Task Viewers_can_not_undo()
    {
        var deleted = await Bulk.DeleteAsync(As.Admin, CustomerSelection.AllMatching(new CustomerQuery("eq(tier,Gold)")));

        await Assert.ThrowsAsync<CommerceManager.Security.AccessDeniedException>(() => Bulk.UndoAsync(As.Viewer, deleted.JobId));
        Assert.Equal(3, (await Customers.ListAsync(As.Viewer, new CustomerQuery())).Items.Count);
    }
}
