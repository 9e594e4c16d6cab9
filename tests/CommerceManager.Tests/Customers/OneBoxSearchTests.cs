using CommerceManager.Customers;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Customers;

/// <summary>The console's one search box: a name or email containing the text, or the exact external reference.</summary>
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
}
