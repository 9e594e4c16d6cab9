using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Duplicates;
using CommerceManager.Seeding;
using Microsoft.EntityFrameworkCore;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Customers;

/// <summary>
/// The console's one search box: a name or email containing the text, the exact external reference, or an address's
/// street, postcode or phone digits (issue 40, item 4).
/// </summary>
public sealed class OneBoxSearchTests : IAsyncLifetime
{
    private TestServices services = default!;
    private CustomerService Customers => services.Get<CustomerService>();

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        (string Name, string Email, string? Ref)[] people =
        [
            ("Émile Zola", "emile@paris.example", "CRM-1001"), ("Ann Lee", "ann@zola-books.example", null),
            ("Jo Lina", "jo@example.com", "zola"), ("Marta Martínez", "marta@example.org", "CRM-2002"),
        ];
        foreach (var (name, email, externalRef) in people)
        {
            await Customers.CreateAsync(As.Admin, new CustomerInput { Name = name, Email = email, ExternalRef = externalRef });
        }
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<string> NamesAsync(string search, string? filter = null) =>
        string.Join(",", (await Customers.ListAsync(As.Viewer, new CustomerQuery(filter, "name", Search: search))).Items.Select(c => c.Name));

    [Theory]
    [InlineData("zola", "Ann Lee,Émile Zola,Jo Lina")] // name, email, and the exact reference "zola"
    [InlineData("ZOLA", "Ann Lee,Émile Zola")] // references are exact: "ZOLA" is not "zola"
    [InlineData("émile", "Émile Zola")]
    [InlineData("CRM-2002", "Marta Martínez")]
    [InlineData("CRM-20", "")] // not a reference, and in no name or email
    [InlineData("@example.org", "Marta Martínez")]
    [InlineData("jo", "Jo Lina")] // two letters: below the index, same answer from the scan
    [InlineData("  martínez  ", "Marta Martínez")]
    [InlineData("EMILE@paris.example", "Émile Zola")] // a whole address: that customer, by the email index
    [InlineData("mile@paris.example", "")] // a whole address matches exactly, not as a fragment
    public async Task Finds_by_name_email_or_reference_at_once(string search, string expected)
    {
        Assert.Equal(expected, await NamesAsync(search));
    }

    [Fact]
    public async Task Combines_with_the_filter_and_counts_what_it_found()
    {
        Assert.Equal("Émile Zola", await NamesAsync("zola", "like(email,*paris*)"));
        var page = await Customers.ListAsync(As.Viewer, new CustomerQuery(Search: "zola"));
        Assert.Equal(3, page.Total);
    }

    private async Task<CustomerDto> CallerAsync(string name, string email, params (string Line1, string Postcode, string? Phone)[] addresses)
    {
        var customer = (await Customers.CreateAsync(As.Admin, new CustomerInput { Name = name, Email = email })).Value!;
        foreach (var (line1, postcode, phone) in addresses)
        {
            var added = await services.Get<AddressService>().CreateAsync(As.Admin, customer.Id, new AddressInput
            {
                FirstName = name.Split(' ')[0], LastName = name.Split(' ')[^1], Line1 = line1, Postcode = postcode, County = "Kent", Country = "GB",
                PhoneNumber = phone,
            });
            Assert.True(added.IsOk, added.Error);
        }
        return customer;
    }

    [Theory]
    [InlineData("07700 900461", "Priya Raman")] // the phone as written
    [InlineData("(07700) 900-461", "Priya Raman")] // another formatting
    [InlineData("7700 900462", "")] // digits no number holds
    [InlineData("+44 7700 900461", "Priya Raman")] // with the country prefix (its last nine digits)
    [InlineData("0461", "Priya Raman")] // the last digits
    [InlineData("555-0199", "Tomas Berg")] // the second address's phone
    [InlineData("ct1 2ab", "Priya Raman")] // a postcode in any case
    [InlineData("CT12AB", "Priya Raman")] // without its space
    [InlineData("  ME4   6XY ", "Tomas Berg")] // extra spaces
    [InlineData("harbour lane", "Priya Raman,Tomas Berg")] // a street both have
    [InlineData("12 Harbour", "Priya Raman")]
    [InlineData("Raman, Priya", "Priya Raman")] // "Last, First"
    [InlineData("priya    raman", "Priya Raman")] // extra spaces inside
    public async Task Finds_a_caller_by_what_they_read_out(string search, string expected)
    {
        await CallerAsync("Priya Raman", "priya@calls.example", ("12 Harbour Lane", "CT1 2AB", "07700 900461"));
        await CallerAsync("Tomas Berg", "tomas@calls.example", ("3 Quarry Road", "ME4 6XY", null), ("40 Harbour Lane", "CT5 1AA", "+1 (555) 555-0199"));

        Assert.Equal(expected, await NamesAsync(search));
    }

    [Fact]
    public async Task An_address_changed_moved_or_deleted_is_found_where_it_is_now()
    {
        var priya = await CallerAsync("Priya Raman", "priya@calls.example", ("12 Harbour Lane", "CT1 2AB", "07700 900461"));
        var tomas = await CallerAsync("Tomas Berg", "tomas@calls.example", ("3 Quarry Road", "ME4 6XY", "01632 960123"));
        var addresses = services.Get<AddressService>();
        var priyas = (await addresses.ListAsync(As.Admin, priya.Id))!.Items.Single();

        var moved = await addresses.UpdateAsync(As.Admin, priya.Id, priyas.Id, new AddressInput
        {
            FirstName = "Priya", LastName = "Raman", Line1 = "8 Mill Street", Postcode = "TN1 1AA", County = "Kent", Country = "GB", PhoneNumber = "07700 900999",
        }, null);
        Assert.True(moved.IsOk, moved.Error);
        Assert.Equal("", await NamesAsync("900461"));
        Assert.Equal("", await NamesAsync("CT1 2AB"));
        Assert.Equal("Priya Raman", await NamesAsync("900999"));
        Assert.Equal("Priya Raman", await NamesAsync("mill street"));

        // Merged into Tomas: Priya's address is his now.
        var merged = await services.Get<MergeService>().MergeAsync(As.Admin, tomas.Id, priya.Id, new MergeChoices());
        Assert.True(merged.IsOk, merged.Error);
        Assert.Equal("Tomas Berg", await NamesAsync("TN1 1AA"));
        Assert.Equal("Tomas Berg", await NamesAsync("01632 960123"));

        foreach (var address in (await addresses.ListAsync(As.Admin, tomas.Id))!.Items)
        {
            Assert.True(await addresses.DeleteAsync(As.Admin, tomas.Id, address.Id));
        }
        Assert.Equal("", await NamesAsync("TN1 1AA"));
        Assert.Equal("", await NamesAsync("960123"));
        Assert.Equal("Tomas Berg", await NamesAsync("tomas"));
    }

    [Fact]
    public async Task A_seeded_store_is_found_by_its_addresses_and_holds_each_address_once()
    {
        await using (var db = await services.DbAsync())
        {
            await db.Database.OpenConnectionAsync();
            await new StoreGenerator(services.Get<SqlDialect>(), seed: 11).InsertAsync(db.Database.GetDbConnection(), new StoreShape(60, 2, 0), 1, null);
        }
        await using var read = await services.DbAsync();
        var addresses = await read.Addresses.AsNoTracking().Where(a => a.Postal.PhoneNumber != null).ToListAsync();
        Assert.NotEmpty(addresses);
        var texts = await read.Customers.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.AddressSearch);
        foreach (var group in (await read.Addresses.AsNoTracking().ToListAsync()).GroupBy(a => a.CustomerId))
        {
            // The seed wrote the text the triggers would have written: nothing was appended twice.
            Assert.Equal(group.Select(a => AddressSearchText.Of(a.Postal.Line1, a.Postal.Postcode, a.Postal.PhoneNumber)).Order(StringComparer.Ordinal),
                texts[group.Key].Split(AddressSearchText.Separator).Chunk(3).Select(p => string.Join(AddressSearchText.Separator, p)).Order(StringComparer.Ordinal));
        }
        var called = addresses[addresses.Count / 2];
        var owner = await Customers.GetAsync(As.Admin, called.CustomerId);
        var found = await Customers.ListAsync(As.Viewer, new CustomerQuery(Search: called.Postal.PhoneNumber![^7..], Limit: 100));
        Assert.Contains(found.Items, c => c.Id == owner!.Id);
    }
}
