using System.Net;
using Bunit;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Customers;

public static class TierStore
{
    /// <summary>Four fields of four types and five customers; Eve has no values at all.</summary>
    public static async Task CreateAsync(FieldDesigner designer, CustomerService customers)
    {
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Tier", Slug = "tier", Type = FieldType.String });
        await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Points", Slug = "points", Type = FieldType.Integer });
        await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "VIP", Slug = "vip", Type = FieldType.Boolean });
        await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Member since", Slug = "member_since", Type = FieldType.Date });
        (string Name, string Tier, int Points, bool Vip, string Since)[] people =
        [
            ("Ada", "Gold", 1200, true, "2020-05-01"), ("Grace", "Silver", 300, false, "2021-01-15"),
            ("Alan", "Gold", 90, false, "2019-11-30"), ("Katherine", "Bronze", 4500, true, "2023-07-04"),
        ];
        foreach (var p in people)
        {
            await customers.CreateAsync(As.Admin, new CustomerInput
            {
                Name = p.Name, Email = $"{p.Name.ToLowerInvariant()}@example.com",
                Custom = new() { ["tier"] = p.Tier, ["points"] = p.Points, ["vip"] = p.Vip, ["member_since"] = p.Since },
            });
        }
        await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Eve", Email = "eve@example.com" });
    }

}

/// <summary>Customers filtered and sorted by their custom fields, as EP filters flow fields by slug.</summary>
public sealed class CustomFieldFilterTests : IAsyncLifetime
{
    private TestServices services = default!;
    private CustomerService Customers => services.Get<CustomerService>();

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        await TierStore.CreateAsync(services.Get<FieldDesigner>(), services.Get<CustomerService>());
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<List<string>> NamesAsync(string? filter, string? sort = null) =>
        (await Customers.ListAsync(As.Admin, new CustomerQuery(filter, sort))).Items.Select(c => c.Name).ToList();

    [Theory]
    [InlineData("eq(tier,Gold)", "Ada,Alan")]
    [InlineData("eq(tier,gold)", "")]
    [InlineData("eq(points,300)", "Grace")]
    [InlineData("gt(points,1000)", "Ada,Katherine")]
    [InlineData("le(points,300)", "Alan,Grace")]
    [InlineData("eq(vip,true)", "Ada,Katherine")]
    [InlineData("eq(vip,false)", "Alan,Grace")]
    [InlineData("ge(member_since,2021-01-01)", "Grace,Katherine")]
    [InlineData("eq(tier,Gold):gt(points,100)", "Ada")]
    [InlineData("eq(tier,Gold):like(email,*alan*)", "Alan")]
    public async Task Equality_and_comparison_filters_on_custom_fields(string filter, string expected)
    {
        var names = await NamesAsync(filter, "name");

        Assert.Equal(expected, string.Join(",", names));
    }

    [Theory]
    [InlineData("points", "Alan,Grace,Ada,Katherine")]
    [InlineData("-points", "Katherine,Ada,Grace,Alan")]
    [InlineData("tier", "Katherine,Ada,Alan,Grace")]
    [InlineData("-member_since", "Katherine,Grace,Ada,Alan")]
    public async Task Sorting_by_a_custom_field_orders_the_customers_who_have_a_value(string sort, string expected)
    {
        var names = (await NamesAsync(null, sort)).Where(n => n != "Eve");

        Assert.Equal(expected, string.Join(",", names));
        Assert.Contains("Eve", await NamesAsync(null, sort));
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_or_an_unknown_field_is_a_clear_filter_error()
    {
        var number = await Assert.ThrowsAsync<FilterException>(() => NamesAsync("eq(points,lots)"));
        var flag = await Assert.ThrowsAsync<FilterException>(() => NamesAsync("eq(vip,yes)"));
        var unknown = await Assert.ThrowsAsync<FilterException>(() => NamesAsync("eq(shoe_size,42)"));
        var like = await Assert.ThrowsAsync<FilterException>(() => NamesAsync("like(tier,Go*)"));

        Assert.Equal("'lots' is not a valid integer for 'points'.", number.Message);
        Assert.Equal("'yes' is not a valid boolean for 'vip'.", flag.Message);
        Assert.Equal("Filtering on 'shoe_size' is not supported.", unknown.Message);
        Assert.Equal("The operator 'like' is not supported for 'tier'.", like.Message);
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task On_SQLite_the_filter_and_the_sort_use_the_fields_index()
    {
        await using var db = await services.DbAsync();
        var field = await db.Fields.SingleAsync(f => f.Slug == "points");
        var index = CustomValueSql.IndexName("Customers", field.Id);
        var key = field.Id.ToString();

        var filterPlan = await PlanAsync(db, $"SELECT \"Id\" FROM \"Customers\" WHERE json_extract(\"CustomData\", '$.\"{key}\"') = 300");
        var sortPlan = await PlanAsync(db, $"SELECT \"Id\" FROM \"Customers\" ORDER BY json_extract(\"CustomData\", '$.\"{key}\"'), \"CreatedAt\", \"Id\" LIMIT 25");
        var newestPlan = await PlanAsync(db, $"SELECT \"Id\" FROM \"Customers\" WHERE json_extract(\"CustomData\", '$.\"{key}\"') = 300 ORDER BY \"CreatedAt\" DESC, \"Id\" DESC LIMIT 25");
        var efSql = db.Customers.Where(c => (double?)CustomValueSql.Number(c.CustomData, "x") == 1).ToQueryString();

        Assert.Contains(index, filterPlan);
        Assert.Contains(index, sortPlan);
        Assert.DoesNotContain("TEMP B-TREE", sortPlan);
        // An equality filter in the default newest-first order is one ordered range of the index: no sorting.
        Assert.Contains(index, newestPlan);
        Assert.DoesNotContain("TEMP B-TREE", newestPlan);
        Assert.Contains("json_extract(\"c\".\"CustomData\", '$.\"x\"')", efSql);
    }

    private static async Task<string> PlanAsync(AppDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(3));
        }
        return string.Join("\n", lines);
    }
}

/// <summary>The API and the console offer the same custom-field filters and sorts.</summary>
public sealed class CustomFieldFilterApiTests(AppFactory app) : IClassFixture<AppFactory>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        if (!await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext().Customers.AnyAsync(c => c.Email == "ada@example.com"))
        {
            await TierStore.CreateAsync(app.Services.GetRequiredService<FieldDesigner>(), app.Services.GetRequiredService<CustomerService>());
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_API_filters_and_sorts_by_custom_field_slugs()
    {
        var api = await ApiClient.ClientCredentialsAsync(app);

        var gold = await ApiClient.ExpectAsync(await api.GetAsync("/v2/customers?filter=eq(tier,Gold)&sort=-points"), HttpStatusCode.OK);
        var bad = await api.GetAsync("/v2/customers?filter=eq(points,lots)");
        var badSort = await api.GetAsync("/v2/customers?sort=shoe_size");

        Assert.Equal(["Ada", "Alan"], gold["data"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(1200, gold["data"]![0]!["points"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'lots' is not a valid integer for 'points'.", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badSort.StatusCode);
        Assert.Contains("points", await badSort.Content.ReadAsStringAsync());
    }
}

public sealed class CustomFieldFilterConsoleTests : ConsoleTestContext
{
    [Fact]
    public async Task The_search_bar_filters_by_a_custom_field_and_the_column_sorts()
    {
        await TierStore.CreateAsync(App.Get<FieldDesigner>(), App.Get<CustomerService>());
        SignInAs(Roles.Viewer);
        var nav = Services.GetRequiredService<NavigationManager>();

        nav.NavigateTo("customers?filter=eq(tier,Gold)&cols=tier,points&sort=-points");
        var cut = Render<CustomerList>();

        cut.WaitForAssertion(() =>
        {
            var rows = cut.FindAll("tbody tr");
            Assert.Equal(2, rows.Count);
            Assert.Contains("Ada", rows[0].TextContent);
            Assert.Contains("Alan", rows[1].TextContent);
            Assert.Equal("Gold", cut.Find("#search-text").GetAttribute("value"));
            Assert.Contains("Points", cut.Find("thead").TextContent);
        });

        // Sorting by the custom column puts the view in the URL, the API's own sort.
        await cut.InvokeAsync(() => cut.Find("[data-sort=points]").Click());
        Assert.Contains("sort=points", Uri.UnescapeDataString(nav.Uri));
    }

    [Fact]
    public async Task A_yes_no_field_is_searched_by_picking_yes_or_no()
    {
        await TierStore.CreateAsync(App.Get<FieldDesigner>(), App.Get<CustomerService>());
        SignInAs(Roles.Viewer);
        Services.GetRequiredService<NavigationManager>().NavigateTo("customers?filter=eq(vip,true)");

        var cut = Render<CustomerList>();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal(2, cut.FindAll("tbody tr").Count);
            // A picker showing "Yes", not a box to type "true" into.
            Assert.Empty(cut.FindAll("#search-text"));
            Assert.Equal("Yes", cut.Find("input[data-testid=search-choice], [data-testid=search-choice] input").GetAttribute("value"));
        });
    }
}
