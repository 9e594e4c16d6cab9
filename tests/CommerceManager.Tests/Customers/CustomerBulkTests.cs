using System.Text.Json.Nodes;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Customers;

/// <summary>Bulk actions of the customers list: delete and set a field, on ticked rows or on everything a view matches.</summary>
public sealed class CustomerBulkTests : IAsyncLifetime
{
    private TestServices services = default!;
    private CustomerService Customers => services.Get<CustomerService>();
    private CustomerBulk Bulk => services.Get<CustomerBulk>();

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        await TierStore.CreateAsync(services.Get<FieldDesigner>(), Customers);
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<string> NamesAsync(string? filter = null) =>
        string.Join(",", (await Customers.ListAsync(As.Viewer, new CustomerQuery(filter, "name"))).Items.Select(c => c.Name));

    private async Task<Guid> IdOfAsync(string name) =>
        (await Customers.ListAsync(As.Viewer, new CustomerQuery($"eq(name,{name})"))).Items.Single().Id;

    private sealed class Reports : IProgress<WorkProgress>
    {
        public List<WorkProgress> Seen { get; } = [];
        public Action<WorkProgress>? Then { get; init; }
        public void Report(WorkProgress value)
        {
            Seen.Add(value);
            Then?.Invoke(value);
        }
    }

    [Fact]
    public async Task Deleting_all_that_match_a_view_deletes_those_and_no_others()
    {
        var selection = CustomerSelection.AllMatching(new CustomerQuery("eq(tier,Gold)"));
        Assert.Equal(2, await Bulk.CountAsync(As.Viewer, selection));
        var progress = new Reports();

        var deleted = await Bulk.DeleteAsync(As.Representative, selection, progress);

        Assert.Equal(2, deleted.Count);
        Assert.Equal("Eve,Grace,Katherine", await NamesAsync());
        Assert.Equal(new WorkProgress(2, 2), progress.Seen[^1]);
    }

    [Fact]
    public async Task Deleting_ticked_rows_deletes_their_addresses_too_and_skips_rows_already_gone()
    {
        var ada = await IdOfAsync("Ada");
        var eve = await IdOfAsync("Eve");
        await using (var db = await services.DbAsync())
        {
            Assert.Equal(1, await db.Customers.Where(c => c.Id == eve).ExecuteDeleteAsync());
        }
        var selection = CustomerSelection.Of([ada, eve]);
        Assert.Equal(1, await Bulk.CountAsync(As.Viewer, selection));

        Assert.Equal(1, (await Bulk.DeleteAsync(As.Admin, selection)).Count);

        Assert.Equal("Alan,Grace,Katherine", await NamesAsync());
    }

    [Fact]
    public async Task Setting_a_field_writes_it_on_the_selection_and_leaves_the_other_fields_and_customers_alone()
    {
        var before = (await Customers.ListAsync(As.Viewer, new CustomerQuery("eq(name,Grace)"))).Items.Single();

        var changed = await Bulk.SetFieldAsync(As.Representative, CustomerSelection.AllMatching(new CustomerQuery("like(name,*a*)")), "tier", JsonValue.Create("Platinum"));

        // "a" is in the names of Ada, Alan, Grace and Katherine, not in Eve.
        Assert.Equal(4, changed.Count);
        Assert.Equal("Ada,Alan,Grace,Katherine", await NamesAsync("eq(tier,Platinum)"));
        Assert.Equal("", await NamesAsync("eq(tier,Gold)"));
        var after = (await Customers.ListAsync(As.Viewer, new CustomerQuery("eq(name,Grace)"))).Items.Single();
        Assert.NotEqual(before.Version, after.Version); // an editor holding the old version is told someone changed it
        var values = CustomFieldsEditor.ValuesOf(await services.Get<CustomFieldValues>().EnabledFieldsAsync(Flow.Customers), after.CustomData);
        Assert.Equal(300, values["points"]!.GetValue<long>());
        Assert.Equal("Eve", await NamesAsync("eq(name,Eve)"));
        Assert.DoesNotContain("Platinum", (await Customers.ListAsync(As.Viewer, new CustomerQuery("eq(name,Eve)"))).Items.Single().CustomData ?? "");
    }

    [Fact]
    public async Task A_value_that_breaks_the_fields_rule_is_refused_before_anything_is_written()
    {
        var everyone = CustomerSelection.AllMatching(new CustomerQuery());

        var wrongType = await Assert.ThrowsAsync<ValidationException>(() => Bulk.SetFieldAsync(As.Admin, everyone, "points", JsonValue.Create("lots")));
        var unknown = await Assert.ThrowsAsync<ValidationException>(() => Bulk.SetFieldAsync(As.Admin, everyone, "shoe_size", JsonValue.Create(9)));

        Assert.Contains("Points", wrongType.Errors.Single().ErrorMessage);
        Assert.Contains("shoe_size", unknown.Errors.Single().ErrorMessage);
        Assert.Equal("Ada,Katherine", await NamesAsync("gt(points,1000)"));
    }

    [Fact]
    public async Task An_empty_value_clears_the_field()
    {
        await Bulk.SetFieldAsync(As.Admin, CustomerSelection.AllMatching(new CustomerQuery("eq(tier,Gold)")), "tier", null);

        Assert.Equal("", await NamesAsync("eq(tier,Gold)"));
        Assert.Equal("Grace", await NamesAsync("eq(tier,Silver)"));
    }

    [Fact]
    public async Task Viewers_may_count_and_read_a_selection_but_not_change_it()
    {
        var everyone = CustomerSelection.AllMatching(new CustomerQuery());

        Assert.Equal(5, await Bulk.CountAsync(As.Viewer, everyone));
        Assert.Equal(5, await Bulk.ReadAsync(As.Viewer, everyone).CountAsync());
        await Assert.ThrowsAsync<AccessDeniedException>(() => Bulk.DeleteAsync(As.Viewer, everyone));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Bulk.SetFieldAsync(As.Viewer, everyone, "tier", JsonValue.Create("Gold")));
        Assert.Equal(5, await Bulk.CountAsync(As.Viewer, everyone));
    }

    [Fact]
    public async Task Large_selections_go_in_whole_batches_with_progress_and_stop_between_batches_when_cancelled()
    {
        await SeedAsync(CustomerBulk.BatchSize * 2 + 100);
        var bulk = CustomerSelection.AllMatching(new CustomerQuery("like(email,*@bulk.example)"));
        using var cancel = new CancellationTokenSource();
        var progress = new Reports { Then = _ => cancel.Cancel() };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Bulk.SetFieldAsync(As.Admin, bulk, "tier", JsonValue.Create("Bulk"), progress, cancel.Token));

        // One whole batch was written before the stop; the rest were not touched.
        Assert.Equal(new[] { new WorkProgress(CustomerBulk.BatchSize, CustomerBulk.BatchSize * 2 + 100) }, progress.Seen);
        Assert.Equal(CustomerBulk.BatchSize, await Bulk.CountAsync(As.Viewer, CustomerSelection.AllMatching(new CustomerQuery("eq(tier,Bulk)"))));

        var all = new Reports();
        Assert.Equal(CustomerBulk.BatchSize * 2 + 100, (await Bulk.DeleteAsync(As.Admin, bulk, all)).Count);
        Assert.Equal(new[] { 500, 1000, 1100 }, all.Seen.Select(p => p.Done));
        Assert.Equal(5, await Bulk.CountAsync(As.Viewer, CustomerSelection.AllMatching(new CustomerQuery())));
    }

    private async Task SeedAsync(int count)
    {
        await using var db = await services.DbAsync();
        var now = DateTime.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var customer = new Customer { Id = Guid.CreateVersion7(), CreatedAt = now, UpdatedAt = now, Version = Guid.NewGuid() };
            customer.SetName($"Bulk {i}");
            customer.SetEmail($"bulk{i}@bulk.example");
            db.Customers.Add(customer);
        }
        await db.SaveChangesAsync();
    }
}

/// <summary>A large bulk delete needs an Admin (security.md, row 25).</summary>
public sealed class BulkDeleteThresholdTests
{
    [Fact]
    public async Task Deleting_from_the_configured_count_needs_an_Admin_and_fewer_does_not()
    {
        await using var services = await TestServices.CreateAsync(s => s.Configure<BulkSettings>(o => o.BulkDeleteAdminFrom = 3));
        var customers = services.Get<CustomerService>();
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await customers.CreateAsync(As.Admin, new CustomerInput { Name = $"P{i}", Email = $"p{i}@bulk-threshold.example" })).Value!.Id);
        }
        var bulk = services.Get<CustomerBulk>();

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => bulk.DeleteAsync(As.Representative, CustomerSelection.Of(ids.Take(3))));
        Assert.Contains("needs an Admin", refused.Message);
        Assert.Equal(4, (await customers.ListAsync(As.Viewer, new CustomerQuery("like(email,*@bulk-threshold.example)"))).Total);

        Assert.Equal(2, (await bulk.DeleteAsync(As.Representative, CustomerSelection.Of(ids.Take(2)))).Count);
        Assert.Equal(2, (await bulk.DeleteAsync(As.Admin, CustomerSelection.Of(ids.Skip(2)))).Count);
    }
}
