using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Customers;

/// <summary>
/// The by-id read on SQLite skips EF (<see cref="SqliteCustomerLookup"/>): it must answer exactly what the EF read of the
/// same customer answers, field for field, times in UTC, and see every change at once.
/// </summary>
[Trait("Database", "SqliteOnly")]
public sealed class SqliteCustomerLookupTests : IAsyncLifetime
{
    private TestServices services = default!;
    private CustomerService Customers => services.Get<CustomerService>();

    public async Task InitializeAsync() => services = await TestServices.CreateAsync();

    public async Task DisposeAsync() => await services.DisposeAsync();

    /// <summary>The same customer read through EF: the list filtered by its id.</summary>
    private async Task<CustomerDto> ThroughEfAsync(Guid id) =>
        Assert.Single((await Customers.ListAsync(As.Admin, new CustomerQuery($"eq(id,{id})"))).Items);

    [Fact]
    public async Task A_customer_by_id_reads_the_same_as_through_EF_with_every_field_set_or_empty()
    {
        var designer = services.Get<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Tier", Slug = "tier" });
        var full = (await Customers.CreateAsync(As.Admin, new CustomerInput
        {
            Name = "Zoë Full", Email = "Zoe.Full@Example.com", Password = "correct horse battery", ExternalRef = "crm-42",
            Custom = new() { ["tier"] = "gold" },
        })).Value!;
        var bare = (await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Bare Bones", Email = "bare@example.com" })).Value!;
        await using (var db = await services.DbAsync())
        {
            // Order counters and a last order time with a fraction of a second, as checkout leaves them.
            await db.Customers.Where(c => c.Id == full.Id).ExecuteUpdateAsync(u => u
                .SetProperty(c => c.OrderCount, 3).SetProperty(c => c.OrdersTotal, 12_345L)
                .SetProperty(c => c.LastOrderAt, new DateTime(2026, 5, 4, 3, 2, 1, 987, DateTimeKind.Utc)));
        }

        foreach (var id in new[] { full.Id, bare.Id })
        {
            var fast = (await Customers.GetAsync(As.Admin, id))!;
            var ef = await ThroughEfAsync(id);

            Assert.Equal(ef, fast);
            Assert.Equal([DateTimeKind.Utc, DateTimeKind.Utc], new[] { fast.CreatedAt.Kind, fast.UpdatedAt.Kind });
        }
        var read = (await Customers.GetAsync(As.Admin, full.Id))!;
        Assert.Equal((true, "crm-42", 3, 12_345L, DateTimeKind.Utc), (read.HasPassword, read.ExternalRef, read.OrderCount, read.OrdersTotal, read.LastOrderAt!.Value.Kind));
        Assert.Contains("gold", read.CustomData);
        Assert.Equal((false, null, null), ((await Customers.GetAsync(As.Admin, bare.Id))!.HasPassword, bare.ExternalRef, bare.CustomData));
    }

    [Fact]
    public async Task Changes_and_deletes_are_seen_by_the_next_read_and_a_missing_id_is_not_found()
    {
        var ada = (await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada Lovelace", Email = "ada@example.com" })).Value!;
        Assert.Equal("Ada Lovelace", (await Customers.GetAsync(As.Admin, ada.Id))!.Name);

        var renamed = (await Customers.UpdateAsync(As.Admin, ada.Id, new CustomerInput { Name = "Ada King", Email = "ada@example.com" }, ada.Version)).Value!;
        Assert.Equal((renamed.Name, renamed.Version), ((await Customers.GetAsync(As.Admin, ada.Id))!.Name, (await Customers.GetAsync(As.Admin, ada.Id))!.Version));

        await Customers.DeleteAsync(As.Admin, ada.Id);
        Assert.Null(await Customers.GetAsync(As.Admin, ada.Id));
        Assert.Null(await Customers.GetAsync(As.Admin, Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Many_reads_at_once_all_answer()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await Customers.CreateAsync(As.Admin, new CustomerInput { Name = $"Reader {i}", Email = $"reader{i}@example.com" })).Value!.Id);
        }

        var names = await Task.WhenAll(Enumerable.Range(0, 400).Select(async i => (await Customers.GetAsync(As.Admin, ids[i % 20]))!.Name));

        Assert.Equal(Enumerable.Range(0, 400).Select(i => $"Reader {i % 20}"), names);
    }
}
