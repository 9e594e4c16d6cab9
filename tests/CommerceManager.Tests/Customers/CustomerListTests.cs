using Bunit;
using CommerceManager.Customers;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Customers;

public sealed class CustomerListTests : ConsoleTestContext
{
    private async Task SeedAsync(params (string Name, string Email)[] people)
    {
        foreach (var (name, email) in people)
        {
            await App.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = name, Email = email });
        }
    }

    private IRenderedComponent<CustomerList> RenderAt(string url)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        return Render<CustomerList>();
    }

    [Fact]
    public async Task The_list_shows_customers_and_the_total()
    {
        await SeedAsync(("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@example.com"));
        SignInAs(Roles.Viewer);

        var cut = RenderAt("customers");

        cut.WaitForAssertion(() =>
        {
            Assert.Equal(2, cut.FindAll("tbody tr").Count);
            Assert.Contains("2 customers", cut.Find("[data-testid=customer-total]").TextContent);
            Assert.Contains("Ada Lovelace", cut.Markup);
        });
    }

    [Fact]
    public async Task The_filter_in_the_url_narrows_the_list_fills_the_search_bar_and_is_shown_as_an_API_filter()
    {
        await SeedAsync(("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@navy.example"));
        SignInAs(Roles.Viewer);

        var cut = RenderAt("customers?filter=like(email,*navy*)");

        cut.WaitForAssertion(() =>
        {
            var rows = cut.FindAll("tbody tr");
            Assert.Single(rows);
            Assert.Contains("Grace Hopper", rows[0].TextContent);
            Assert.Equal("like(email,*navy*)", cut.Find("[data-testid=api-filter]").TextContent);
            Assert.Equal("navy", cut.Find("#search-text").GetAttribute("value"));
        });
    }

    [Fact]
    public async Task Searching_puts_the_view_in_the_url()
    {
        await SeedAsync(("Ada Lovelace", "ada@example.com"));
        SignInAs(Roles.Viewer);
        var nav = Services.GetRequiredService<NavigationManager>();

        // The one box (name, email or reference) travels as q=.
        var cut = RenderAt("customers");
        cut.Find("#search-text").Input("Ada");
        await cut.Find("form[role=search]").SubmitAsync();
        Assert.EndsWith("customers?q=Ada", nav.Uri, StringComparison.Ordinal);

        // A view searching one field (here opened from a shared link) stays an EP filter.
        cut = RenderAt("customers?filter=like(name,*Lov*)");
        cut.Find("#search-text").Input("Ada");
        await cut.Find("form[role=search]").SubmitAsync();
        Assert.EndsWith("customers?filter=like%28name%2C%2AAda%2A%29", nav.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_store_shows_an_empty_state_and_staff_who_edit_get_a_create_button()
    {
        SignInAs(Roles.Representative);

        var cut = RenderAt("customers");

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("No customers yet.", cut.Find("[data-testid=empty-state]").TextContent);
            Assert.Contains("Create the first customer", cut.Markup);
        });
    }

    [Fact]
    public async Task A_search_with_no_match_offers_to_clear_it_and_viewers_get_no_create_button()
    {
        await SeedAsync(("Ada Lovelace", "ada@example.com"));
        SignInAs(Roles.Viewer);

        var cut = RenderAt("customers?filter=eq(email,nobody@example.com)");

        cut.WaitForAssertion(() => Assert.Contains("No customers match this search.", cut.Markup));
        Assert.DoesNotContain("New customer", cut.Markup);
    }

    [Fact]
    public void A_malformed_filter_in_the_url_shows_the_parse_error()
    {
        SignInAs(Roles.Viewer);

        var cut = RenderAt("customers?filter=eq(password,x)");

        cut.WaitForAssertion(() => Assert.Contains("Could not parse the supplied filter", cut.Find("[data-testid=list-error]").TextContent));
    }

    [Fact]
    public async Task Ticking_rows_selects_them_and_the_header_box_ticks_the_page_or_none()
    {
        await SeedAsync(("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@example.com"), ("Hedy Lamarr", "hedy@example.com"));
        SignInAs(Roles.Admin);
        var cut = RenderAt("customers?sort=name");
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tbody tr").Count));
        string Header() => cut.Find("thead .mud-checkbox span").ClassName!;

        // One row: counted, the header box shows "some", and the row's box is labelled with the customer's name.
        await cut.InvokeAsync(() => cut.Find("tbody input[aria-label='Select Grace Hopper']").Change(true));
        cut.WaitForAssertion(() => Assert.Equal("1 selected", cut.Find("[data-testid=bulk-count]").TextContent.Trim()));
        Assert.Contains("mud-checkbox-null", Header());
        Assert.Equal(1, cut.FindAll("tbody input[type=checkbox]").Count(i => i.HasAttribute("checked")));

        // The header box from "some" ticks the whole page; again, none.
        await cut.InvokeAsync(() => cut.Find("thead input[type=checkbox]").Change(true));
        cut.WaitForAssertion(() => Assert.Equal("3 selected", cut.Find("[data-testid=bulk-count]").TextContent.Trim()));
        Assert.Contains("mud-checkbox-true", Header());
        await cut.InvokeAsync(() => cut.Find("thead input[type=checkbox]").Change(false));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=bulk-count]")));
        Assert.Contains("mud-checkbox-false", Header());
        Assert.DoesNotContain(cut.FindAll("tbody input[type=checkbox]"), i => i.HasAttribute("checked"));
    }
}
