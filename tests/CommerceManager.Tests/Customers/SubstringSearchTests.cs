using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Customers;

/// <summary>
/// Contains and ends-with searches give the same answers whether the substring index serves them (three characters or
/// more) or the plain scan does (shorter), and stay right as customers change.
/// </summary>
public sealed class SubstringSearchTests : IAsyncLifetime
{
    private TestServices services = default!;
    private CustomerService Customers => services.Get<CustomerService>();
    private readonly Dictionary<string, Guid> ids = [];

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        (string Name, string Email)[] people =
        [
            ("Émile Zola", "emile@paris.example"), ("100% Cotton Ltd", "sales_team@cotton.example"), ("Satu Mäki", "sat@example.com"),
            ("Ann Lee", "ann@example.com"), ("Jo Lina", "jo@example.com"), ("Marta Martínez", "marta@example.org"),
        ];
        foreach (var (name, email) in people)
        {
            ids[name] = (await Customers.CreateAsync(As.Admin, new CustomerInput { Name = name, Email = email })).Value!.Id;
        }
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<string> NamesAsync(string filter) =>
        string.Join(",", (await Customers.ListAsync(As.Admin, new CustomerQuery(filter, "name"))).Items.Select(c => c.Name));

    [Theory]
    [InlineData("like(name,*emile*)", "Émile Zola")]
    [InlineData("like(name,*ÉMILE*)", "Émile Zola")]
    [InlineData("like(name,*mile zo*)", "Émile Zola")]
    [InlineData("like(name,*mart*)", "Marta Martínez")]
    [InlineData("like(name,*martinez*)", "Marta Martínez")]
    [InlineData("like(name,*0%*)", "100% Cotton Ltd")]
    [InlineData("like(name,*%*)", "100% Cotton Ltd")]
    [InlineData("like(email,*s_t*)", "100% Cotton Ltd")]
    [InlineData("like(email,*_*)", "100% Cotton Ltd")]
    [InlineData("like(email,*@cotton.example)", "100% Cotton Ltd")]
    [InlineData("like(email,*.org)", "Marta Martínez")]
    [InlineData("like(email,*example.com)", "Ann Lee,Jo Lina,Satu Mäki")]
    [InlineData("like(name,*jo*)", "Jo Lina")]
    [InlineData("like(name,*o*)", "100% Cotton Ltd,Émile Zola,Jo Lina")]
    [InlineData("like(name,*zzz*)", "")]
    [InlineData("like(email,*\"*)", "")]
    public async Task Contains_and_ends_with_match_literally_ignoring_case_and_accents(string filter, string expected)
    {
        Assert.Equal(expected, await NamesAsync(filter));
    }

    [Fact]
    public async Task Renames_email_changes_and_deletes_keep_the_search_right()
    {
        var jo = (await Customers.GetAsync(As.Admin, ids["Jo Lina"]))!;
        await Customers.UpdateAsync(As.Admin, jo.Id, new CustomerInput { Name = "Jo Smith", Email = "jo@newdomain.example" }, jo.Version);
        await Customers.DeleteAsync(As.Admin, ids["Émile Zola"]);
        var ann = (await Customers.GetAsync(As.Admin, ids["Ann Lee"]))!;
        await Customers.UpdateAsync(As.Admin, ann.Id, new CustomerInput { Name = "Annabelle Lee", Email = ann.Email }, ann.Version);

        Assert.Equal("", await NamesAsync("like(name,*lina*)"));
        Assert.Equal("Jo Smith", await NamesAsync("like(name,*smith*)"));
        Assert.Equal("Jo Smith", await NamesAsync("like(email,*newdomain*)"));
        Assert.Equal("", await NamesAsync("like(email,*jo@example*)"));
        Assert.Equal("", await NamesAsync("like(name,*emile*)"));
        Assert.Equal("Annabelle Lee", await NamesAsync("like(name,*belle*)"));
    }

    [Fact]
    public async Task The_same_search_asked_again_counts_what_changed_in_between()
    {
        async Task<int> TotalAsync() => (await Customers.ListAsync(As.Admin, new CustomerQuery("like(name,*lee*)", null, 0, 1))).Total;
        Assert.Equal(1, await TotalAsync());

        var bruce = (await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Bruce Lee", Email = "bruce@example.com" })).Value!;
        Assert.Equal(2, await TotalAsync());
        await Customers.UpdateAsync(As.Admin, bruce.Id, new CustomerInput { Name = "Bruce Wayne", Email = bruce.Email }, bruce.Version);
        Assert.Equal(1, await TotalAsync());
        await Customers.DeleteAsync(As.Admin, ids["Ann Lee"]);
        Assert.Equal(0, await TotalAsync());
        // A write that goes around the app (another process, raw SQL) is seen as well.
        await using (var db = await services.DbAsync())
        {
            await db.Customers.Where(c => c.Id == bruce.Id).ExecuteUpdateAsync(u => u.SetProperty(c => c.NormalizedName, Customer.FoldName("Bruce Lee")));
        }
        Assert.Equal(1, await TotalAsync());
    }

    [Fact]
    public async Task The_total_counts_every_match()
    {
        var page = await Customers.ListAsync(As.Admin, new CustomerQuery("like(email,*example*)", null, 0, 2));

        Assert.Equal(6, page.Total);
        Assert.Equal(2, page.Items.Count);
    }

    [Fact]
    public async Task A_contains_ends_with_or_one_box_search_pages_through_its_matches_in_creation_order_like_any_other_filter()
    {
        // 60 matches created in shuffled order over a few milliseconds (many in the same one), one far in the past, one
        // in the future, among customers that do not match.
        var start = new DateTime(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc);
        var order = Enumerable.Range(0, 60).OrderBy(i => (i * 37) % 61).ToList();
        var created = new Dictionary<Guid, DateTime>();
        foreach (var i in order)
        {
            var id = (await Customers.CreateAsync(As.Admin, new CustomerInput { Name = $"Pagewise Person {i}", Email = $"p{i}@pages.example" })).Value!.Id;
            created[id] = i switch { 0 => new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc), 59 => start.AddYears(3), _ => start.AddMilliseconds(i % 4) };
            await Customers.CreateAsync(As.Admin, new CustomerInput { Name = $"Other {i}", Email = $"o{i}@pages.example.net" });
        }
        await using (var db = await services.DbAsync())
        {
            // Dated in another order than created, so neither the ids nor the order of writing follow the dates.
            foreach (var (id, at) in created.OrderBy(c => c.Key.ToString()[^6..]))
            {
                await db.Customers.Where(c => c.Id == id).ExecuteUpdateAsync(u => u.SetProperty(c => c.CreatedAt, at));
            }
        }

        // The console's one box also matches an external reference exactly: one customer found only that way.
        await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Reference Only", Email = "ref-only@else.example", ExternalRef = "gewise" });
        (string? Filter, string? Box, int Total)[] searches = [("like(name,*gewise*)", null, 60), ("like(email,*ges.example)", null, 60), (null, "gewise", 61)];
        foreach (var ((filter, box, total), sort) in from f in searches from s in new[] { "-created_at", "created_at" } select (f, s))
        {
            foreach (var (offset, limit) in new[] { (0, 25), (0, 7), (7, 7), (21, 10), (50, 25), (59, 1), (60, 5) })
            {
                // The same search with a password condition takes the general path: sort every match, then page.
                var fast = await Customers.ListAsync(As.Admin, new CustomerQuery(filter, sort, offset, limit, Search: box));
                var general = await Customers.ListAsync(As.Admin, new CustomerQuery(filter, sort, offset, limit, HasPassword: false, Search: box));

                Assert.Equal(total, fast.Total);
                Assert.Equal(general.Items.Select(c => c.Id), fast.Items.Select(c => c.Id));
                Assert.Equal(Math.Clamp(total - offset, 0, limit), fast.Items.Count);
            }
        }
        var newest = await Customers.ListAsync(As.Admin, new CustomerQuery("like(email,*@pages.exam*)", "-created_at", 0, 2));
        Assert.Equal("Pagewise Person 59", newest.Items[0].Name);
        var oldest = await Customers.ListAsync(As.Admin, new CustomerQuery("like(email,*@pages.exam*)", "created_at", 0, 1));
        Assert.Equal("Pagewise Person 0", Assert.Single(oldest.Items).Name);
    }

    [Fact]
    public async Task The_consoles_capped_count_of_a_contains_search_is_exact_below_the_cap()
    {
        var exact = await Customers.ListAsync(As.Admin, new CustomerQuery("like(email,*example*)", null, 0, 2, ExactTotal: false));

        Assert.Equal((6, false), (exact.Total, exact.TotalIsCapped));
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task On_SQLite_a_contains_search_reads_the_trigram_index()
    {
        await using var db = await services.DbAsync();
        var source = SqliteSubstringIndex.Source(db.Customers, nameof(Customer.NormalizedName), "MART")!;
        var sql = source.Select(c => c.Id).ToQueryString();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // ToQueryString starts with the parameters as ".param set" lines (SQLite's shell): bind them instead.
        command.CommandText = "EXPLAIN QUERY PLAN " + string.Join("\n", sql.Split('\n').Where(l => !l.StartsWith('.')));
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@p0";
        parameter.Value = "{NormalizedName} : \"MART\"";
        command.Parameters.Add(parameter);
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Contains(plan, l => l.Contains("Customers_substrings VIRTUAL TABLE", StringComparison.Ordinal));
        Assert.Null(SqliteSubstringIndex.Source(db.Customers, nameof(Customer.NormalizedName), "MA"));
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task The_index_of_earlier_versions_is_dropped_at_start_up_and_searches_keep_working()
    {
        var dialect = services.Get<SqlDialect>();
        await using (var db = await services.DbAsync())
        {
            // What versions before creation keys left behind: an external-content index on the table's rowids, its triggers.
            await db.Database.ExecuteSqlRawAsync("""
                CREATE VIRTUAL TABLE "Customers_search" USING fts5("NormalizedEmail", "NormalizedName", content='Customers', content_rowid='rowid', tokenize='trigram');
                CREATE TRIGGER "Customers_search_insert" AFTER INSERT ON "Customers" BEGIN
                    INSERT INTO "Customers_search"(rowid, "NormalizedEmail", "NormalizedName") VALUES (new.rowid, new."NormalizedEmail", new."NormalizedName");
                END;
                INSERT INTO "Customers_search"("Customers_search") VALUES ('rebuild');
                """);
            await dialect.AfterMigrateAsync(db, default); // every start-up
            var left = await db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE name LIKE 'Customers_search%'").ToListAsync();
            Assert.Empty(left);
        }
        await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "After Upgrade", Email = "after@upgrade.example" });

        Assert.Equal("After Upgrade", await NamesAsync("like(name,*ter upg*)"));
        Assert.Equal("Marta Martínez", await NamesAsync("like(name,*martinez*)"));
    }

    [Fact]
    public async Task A_bulk_load_that_pauses_the_index_finds_everything_once_the_index_is_restored()
    {
        var dialect = services.Get<SqlDialect>();
        await using (var db = await services.DbAsync())
        {
            await dialect.PauseDerivedIndexesAsync(db, default);
        }
        // Loaded while paused (the seed's path), and one customer renamed meanwhile.
        await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Paused Loadington", Email = "paused@load.example" });
        var ann = (await Customers.GetAsync(As.Admin, ids["Ann Lee"]))!;
        await Customers.UpdateAsync(As.Admin, ann.Id, new CustomerInput { Name = "Ann Zebedee", Email = ann.Email }, ann.Version);

        await using (var db = await services.DbAsync())
        {
            await dialect.AfterMigrateAsync(db, default); // what the seed runs at its end, and every start-up
        }

        Assert.Equal("Paused Loadington", await NamesAsync("like(name,*loadingt*)"));
        Assert.Equal("Ann Zebedee", await NamesAsync("like(name,*zebed*)"));
        Assert.Equal("", await NamesAsync("like(name,*ann lee*)"));
        Assert.Equal("Paused Loadington", await NamesAsync("like(email,*@load.example)"));
    }
}
