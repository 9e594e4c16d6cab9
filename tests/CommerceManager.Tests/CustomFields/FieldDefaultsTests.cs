using System.Text.Json.Nodes;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.History;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.CustomFields;

/// <summary>A field's default is stored on the records that show it, so filters find them and nobody is credited with it.</summary>
public class FieldDefaultsTests : IAsyncLifetime
{
    protected virtual bool Postgres => false;
    private TestServices services = null!;

    public async Task InitializeAsync() => services = await TestServices.CreateAsync(postgres: Postgres);

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<List<CustomerDto>> CustomersAsync(int count)
    {
        var list = new List<CustomerDto>();
        for (var i = 0; i < count; i++)
        {
            list.Add((await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = $"Person {i}", Email = $"p{i}.{Guid.NewGuid():N}@fd.example" })).Value!);
        }
        return list;
    }

    private async Task<FieldDefinition> LoyaltyTierAsync(bool required = true)
    {
        var designer = services.Get<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        var field = await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput
        {
            Name = "Loyalty tier", Slug = "loyalty_tier", Type = FieldType.String, Required = required,
            Rules = new FieldRules { Enum = ["Gold", "Silver", "Bronze"] }, Default = JsonValue.Create("Silver"),
        });
        Assert.True(field.IsOk, field.Error);
        services.Get<CustomFieldValues>().Invalidate();
        return field.Value!;
    }

    [Fact]
    public async Task A_required_field_with_a_default_is_stored_on_existing_customers_and_eq_finds_them_all()
    {
        await CustomersAsync(3);

        var field = await LoyaltyTierAsync();

        var found = await services.Get<CustomerService>().ListAsync(As.Viewer, new CustomerQuery("eq(loyalty_tier,Silver)"));
        Assert.Equal(3, found.Total);
        Assert.Equal(3, await services.Get<FieldDesigner>().CountValuesAsync(As.Admin, field));
    }

    [Fact]
    public async Task An_unrelated_save_records_no_custom_field_change()
    {
        var ada = (await CustomersAsync(1))[0];
        await LoyaltyTierAsync();
        var customers = services.Get<CustomerService>();
        var fields = await services.Get<CustomFieldValues>().EnabledFieldsAsync(Flow.Customers);
        var stored = (await customers.GetAsync(As.Admin, ada.Id))!;

        // What the customer form sends: the name changed, and every custom value as it read them.
        var saved = await customers.UpdateAsync(As.Representative, ada.Id, new CustomerInput
        {
            Name = "Ada Renamed", Email = stored.Email, Custom = CustomFieldsEditor.ValuesOf(fields, stored.CustomData),
        }, stored.Version);

        Assert.True(saved.IsOk, saved.Error);
        var timeline = await services.Get<HistoryService>().TimelineAsync(As.Admin, ada.Id, new HistoryQuery());
        var latest = timeline.Items.First();
        Assert.Equal(["name"], latest.Changes.Select(c => c.Field).ToArray());
    }

    [Fact]
    public async Task Sending_back_the_default_to_a_record_without_a_value_is_no_change_and_another_value_is_one()
    {
        var ada = (await CustomersAsync(1))[0];
        var field = await LoyaltyTierAsync(required: false);
        var customers = services.Get<CustomerService>();
        await using (var db = await services.DbAsync())
        {
            // A record the fill has not reached yet.
            var row = await db.Customers.FindAsync(ada.Id);
            row!.CustomData = null;
            await db.SaveChangesAsync();
        }
        var before = (await customers.GetAsync(As.Admin, ada.Id))!;

        var same = await customers.UpdateAsync(As.Admin, ada.Id, new CustomerInput
        {
            Name = before.Name, Email = before.Email, Custom = new() { ["loyalty_tier"] = JsonValue.Create("Silver") },
        }, before.Version);
        Assert.Null((await customers.GetAsync(As.Admin, ada.Id))!.CustomData);

        var gold = await customers.UpdateAsync(As.Admin, ada.Id, new CustomerInput
        {
            Name = before.Name, Email = before.Email, Custom = new() { ["loyalty_tier"] = JsonValue.Create("Gold") },
        }, same.Value!.Version);
        Assert.True(gold.IsOk, gold.Error);
        Assert.Contains("Gold", (await customers.GetAsync(As.Admin, ada.Id))!.CustomData);
        Assert.NotNull(field);
    }

    [Fact]
    public async Task Making_a_field_required_with_a_default_stores_it_only_where_there_is_no_value()
    {
        var (a, b) = (await CustomersAsync(2)) switch { var l => (l[0], l[1]) };
        var designer = services.Get<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        var tier = (await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Tier", Slug = "tier", Type = FieldType.String })).Value!;
        services.Get<CustomFieldValues>().Invalidate();
        var customers = services.Get<CustomerService>();
        var stored = (await customers.GetAsync(As.Admin, a.Id))!;
        await customers.UpdateAsync(As.Admin, a.Id, new CustomerInput { Name = stored.Name, Email = stored.Email, Custom = new() { ["tier"] = JsonValue.Create("Gold") } }, stored.Version);

        var updated = await designer.UpdateFieldAsync(As.Admin, tier.Id, new FieldInput
        {
            Name = "Tier", Slug = "tier", Type = FieldType.String, Required = true, Default = JsonValue.Create("Silver"),
        });

        Assert.True(updated.IsOk, updated.Error);
        Assert.Equal(1, (await customers.ListAsync(As.Viewer, new CustomerQuery("eq(tier,Gold)"))).Total);
        Assert.Equal(b.Id, (await customers.ListAsync(As.Viewer, new CustomerQuery("eq(tier,Silver)"))).Items.Single().Id);
    }

    [Fact]
    public async Task A_large_store_fills_in_the_background_with_progress()
    {
        await using (var db = await services.DbAsync())
        {
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await new CommerceManager.Seeding.StoreGenerator(services.Get<CommerceManager.Data.SqlDialect>(), seed: 5)
                .InsertAsync(connection, new CommerceManager.Seeding.StoreShape(FieldDefaults.BatchSize * 2 + 10, 0, 0), 1, null);
        }

        await LoyaltyTierAsync();

        var job = Assert.Single(services.Get<BackgroundWork>().Of("admin@example.com"));
        await job.Completion.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(WorkState.Succeeded, job.State);
        Assert.Equal(FieldDefaults.BatchSize * 2 + 10, job.Progress.Total);
        Assert.Equal(FieldDefaults.BatchSize * 2 + 10, (await services.Get<CustomerService>().ListAsync(As.Viewer, new CustomerQuery("eq(loyalty_tier,Silver)"))).Total);
    }
}

[Trait("Database", "Postgres")]
public sealed class FieldDefaultsOnPostgresTests : FieldDefaultsTests
{
    protected override bool Postgres => true;
}
