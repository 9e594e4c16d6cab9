using System.Data.Common;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Customers;

/// <summary>
/// A filtered list's total and its pages stay right however they are found: counted, kept from an earlier count while
/// nothing changed (PostgreSQL), known from a first page with room to spare, or (for contains searches on PostgreSQL)
/// read by walking the creation-time index rather than sorting every match.
/// </summary>
public sealed class ListTotalsTests : IAsyncLifetime
{
    private TestServices services = default!;
    private CustomerService Customers => services.Get<CustomerService>();

    public async Task InitializeAsync() => services = await TestServices.CreateAsync();

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<int> TotalAsync(string filter, int offset = 0, int limit = 25) =>
        (await Customers.ListAsync(As.Admin, new CustomerQuery(filter, null, offset, limit))).Total;

    [Fact]
    public async Task A_total_asked_for_again_follows_every_create_rename_and_delete_in_between()
    {
        for (var i = 0; i < 30; i++)
        {
            await Customers.CreateAsync(As.Admin, new CustomerInput { Name = $"Quillon Maker {i}", Email = $"quillon{i}@example.com" });
        }
        const string Quillon = "like(name,*quillon*)";
        // Past the first page: the total is counted, then asked again.
        Assert.Equal(30, await TotalAsync(Quillon));
        Assert.Equal(30, await TotalAsync(Quillon, offset: 25));

        var extra = (await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Late Quillon", Email = "late@example.com" })).Value!;
        Assert.Equal(31, await TotalAsync(Quillon));
        Assert.Equal(31, await TotalAsync(Quillon, offset: 25));

        // A rename out of the search takes one away; so does a delete.
        var edited = await Customers.UpdateAsync(As.Admin, extra.Id, new CustomerInput { Name = "Late Arrival", Email = "late@example.com" }, extra.Version);
        Assert.True(edited.IsOk);
        Assert.Equal(30, await TotalAsync(Quillon));

        var first = (await Customers.ListAsync(As.Admin, new CustomerQuery(Quillon, null, 0, 1))).Items.Single();
        Assert.True(await Customers.DeleteAsync(As.Admin, first.Id));
        Assert.Equal(29, await TotalAsync(Quillon));
        Assert.Equal(29, await TotalAsync(Quillon, offset: 25));

        // A filter with fewer matches than a page: the page is the total, also after a new match.
        Assert.Equal(1, await TotalAsync("eq(email,quillon3@example.com)"));
        Assert.Equal(0, await TotalAsync("like(name,*arrivals*)"));
        await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Arrivals Desk", Email = "desk@example.com" });
        Assert.Equal(1, await TotalAsync("like(name,*arrivals*)"));
    }

    [Fact]
    public async Task A_contains_search_pages_in_creation_order_wherever_its_matches_lie()
    {
        // 1,000 customers a minute apart: the oldest 100 and two of the newest match "walnut". Newest first, the first page
        // has two matches near the top and the rest 900 rows further down; oldest first, they come at once.
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var db = await services.DbAsync())
        {
            for (var i = 0; i < 1000; i++)
            {
                var customer = new Customer { Id = Guid.CreateVersion7(), CreatedAt = start.AddMinutes(i), UpdatedAt = start.AddMinutes(i), Version = Guid.NewGuid() };
                customer.SetName(i < 100 || i is 950 or 990 ? $"Walnut Grove {i:D4}" : $"Chestnut Row {i:D4}");
                customer.SetEmail($"tree{i:D4}@example.com");
                db.Customers.Add(customer);
            }
            await db.SaveChangesAsync();
        }
        var matching = Enumerable.Range(0, 1000).Where(i => i < 100 || i is 950 or 990).Select(i => $"Walnut Grove {i:D4}").ToList();

        foreach (var (sort, expected) in new[] { ("-created_at", Enumerable.Reverse(matching).ToList()), ("created_at", matching) })
        {
            foreach (var (offset, limit) in new[] { (0, 5), (3, 5), (0, 25), (40, 25), (97, 5), (100, 5), (102, 5) })
            {
                var page = await Customers.ListAsync(As.Admin, new CustomerQuery("like(name,*walnut*)", sort, offset, limit));
                Assert.Equal(102, page.Total);
                Assert.Equal(expected.Skip(offset).Take(limit), page.Items.Select(c => c.Name));
            }
            var endsWith = await Customers.ListAsync(As.Admin, new CustomerQuery("like(name,*0990)", sort, 0, 5));
            Assert.Equal(["Walnut Grove 0990"], endsWith.Items.Select(c => c.Name));
        }
    }
}

/// <summary>On PostgreSQL a total asked for again is read with the table's version, not counted again, until a row changes.</summary>
[Trait("Database", "Postgres")]
public sealed class PostgresListTotalTests : IAsyncLifetime
{
    private TestServices services = default!;
    private readonly CountingInterceptor counted = new();

    public async Task InitializeAsync() =>
        services = await TestServices.CreateAsync(s => s.ConfigureDbContext<AppDbContext>(o => o.AddInterceptors(counted)), postgres: true);

    public async Task DisposeAsync() => await services.DisposeAsync();

    [Fact]
    public async Task A_repeated_total_is_counted_once_per_change_to_the_table()
    {
        var customers = services.Get<CustomerService>();
        for (var i = 0; i < 30; i++)
        {
            await customers.CreateAsync(As.Admin, new CustomerInput { Name = $"Bramble {i}", Email = $"bramble{i}@example.com" });
        }
        var query = new CustomerQuery("like(name,*bramble*)", "name", 0, 10);

        counted.Counts = 0;
        Assert.Equal(30, (await customers.ListAsync(As.Admin, query)).Total);
        Assert.Equal(30, (await customers.ListAsync(As.Admin, query)).Total);
        Assert.Equal(30, (await customers.ListAsync(As.Admin, query with { Offset = 10 })).Total);
        Assert.Equal(1, counted.Counts);

        // Any change to a customer, matching or not, makes the next total a fresh count.
        var other = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Hawthorn", Email = "hawthorn@example.com" })).Value!;
        Assert.Equal(30, (await customers.ListAsync(As.Admin, query)).Total);
        Assert.Equal(2, counted.Counts);
        await customers.UpdateAsync(As.Admin, other.Id, new CustomerInput { Name = "Bramble Hawthorn", Email = "hawthorn@example.com" }, other.Version);
        Assert.Equal(31, (await customers.ListAsync(As.Admin, query)).Total);
        Assert.Equal(31, (await customers.ListAsync(As.Admin, query)).Total);
        Assert.Equal(3, counted.Counts);
    }

    private sealed class CountingInterceptor : DbCommandInterceptor
    {
        public int Counts;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("count(*)", StringComparison.Ordinal) && command.CommandText.Contains("\"Customers\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref Counts);
            }
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
