using Bunit;
using CommerceManager.Customers;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Ui;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

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

    /// <summary>The list with one customer, as a viewer, loaded.</summary>
    private async Task<IRenderedComponent<CustomerList>> ListOfOneAsync()
    {
        await SeedAsync(("Ada Lovelace", "ada@example.com"));
        SignInAs(Roles.Viewer);
        var cut = RenderAt("customers");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tbody tr")));
        return cut;
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

        // One row: counted, the header box shows "some", and the row's box is labelled with the customer's name. The rows
        // are markup: the body hears their boxes' changes (the browser's side is RowEvents' script, run by the browser tests).
        var grace = cut.Find("tbody input[aria-label='Select Grace Hopper']").GetAttribute("data-row");
        await cut.InvokeAsync(() => cut.Find("tbody").TriggerEventAsync("onrowtick", new RowEventArgs { Id = grace, Checked = true }));
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

    [Fact]
    public async Task A_filter_select_is_its_markup_until_pressed_then_the_real_select_opens_and_applies_the_choice()
    {
        var cut = await ListOfOneAsync();

        // Closed, it reads as the select: a named combobox showing the current choice, and no MudSelect behind it.
        var face = cut.Find("[data-testid=password-filter]");
        Assert.Equal("combobox", face.GetAttribute("role"));
        Assert.Equal("Password", face.GetAttribute("aria-label"));
        Assert.Equal("Any", face.TextContent);
        Assert.Empty(cut.FindComponents<MudSelect<string>>());

        // Pressed: the real select takes its place, open, and the choice filters the list as before.
        await cut.InvokeAsync(() => cut.Find(".dormant:has([data-testid=password-filter])").MouseDownAsync(new()));
        cut.WaitForAssertion(() => Assert.Single(cut.FindComponents<MudSelect<string>>()));
        Popovers.WaitForAssertion(() => Assert.Contains(Popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim() == "Not set"));
        await Popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == "Not set").ClickAsync(new());
        cut.WaitForAssertion(() => Assert.EndsWith("customers?password=notset", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_click_on_a_row_opens_the_customer_and_a_click_on_no_row_does_nothing()
    {
        var cut = await ListOfOneAsync();
        var nav = Services.GetRequiredService<NavigationManager>();
        var id = cut.Find("tbody tr").GetAttribute("data-row");

        // What the body hears from a click on its links or boxes (no row), or from a row not on this page: nothing happens.
        await cut.InvokeAsync(() => cut.Find("tbody").TriggerEventAsync("onrowclick", new RowEventArgs { Id = null }));
        await cut.InvokeAsync(() => cut.Find("tbody").TriggerEventAsync("onrowclick", new RowEventArgs { Id = Guid.NewGuid().ToString() }));
        Assert.EndsWith("/customers", nav.Uri, StringComparison.Ordinal);

        await cut.InvokeAsync(() => cut.Find("tbody").TriggerEventAsync("onrowclick", new RowEventArgs { Id = id }));
        Assert.EndsWith($"/customers/{id}", nav.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_date_typed_in_the_filter_applies_a_wrong_one_stays_marked_and_the_calendar_is_the_real_picker()
    {
        var cut = await ListOfOneAsync();
        var nav = Services.GetRequiredService<NavigationManager>();
        var from = cut.FindComponents<DateFilter>().Single(d => d.Instance.Label == "Created from");

        await cut.InvokeAsync(() => from.Find("input").ChangeAsync(new ChangeEventArgs { Value = "31/01/2025" }));
        Assert.Equal("true", from.Find("input").GetAttribute("aria-invalid"));
        Assert.Equal("31/01/2025", from.Find("input").GetAttribute("value"));
        Assert.DoesNotContain("filter=", nav.Uri, StringComparison.Ordinal);

        await cut.InvokeAsync(() => from.Find("input").ChangeAsync(new ChangeEventArgs { Value = "2025-01-31" }));
        cut.WaitForAssertion(() => Assert.Contains("ge(created_at,2025-01-31)", Uri.UnescapeDataString(nav.Uri), StringComparison.Ordinal));

        Assert.Empty(cut.FindComponents<MudDatePicker>());
        await cut.InvokeAsync(() => cut.FindComponents<DateFilter>().Single(d => d.Instance.Label == "Created to").Find("button[aria-label=Open]").ClickAsync(new()));
        cut.WaitForAssertion(() => Assert.Single(cut.FindComponents<MudDatePicker>()));
    }

    [Fact]
    public void The_pager_offers_the_pages_and_buttons_MudPagination_offers()
    {
        // Every page of lists of 1 to 15 pages: the same buttons, names, current page and disabled arrows, in order.
        static string Shape(AngleSharp.Dom.IElement list) => string.Join(" | ", list.QuerySelectorAll("li").Select(li =>
            li.QuerySelector("button") is { } b ? $"{b.GetAttribute("aria-label")}{(b.HasAttribute("disabled") ? " (off)" : "")}" : li.TextContent.Trim()));
        for (var count = 1; count <= 15; count++)
        {
            for (var selected = 1; selected <= count; selected++)
            {
                var mud = Render<MudPagination>(p => p.Add(x => x.Count, count).Add(x => x.Selected, selected)
                    .Add(x => x.ShowFirstButton, true).Add(x => x.ShowLastButton, true).Add(x => x.Size, Size.Small));
                var ours = Render<Pager>(p => p.Add(x => x.Count, count).Add(x => x.Selected, selected));
                Assert.Equal(Shape(mud.Find("ul")), Shape(ours.Find("ul")));
            }
        }
    }

    [Fact]
    public async Task Names_and_emails_in_the_rows_are_text_never_markup()
    {
        await App.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput
        {
            Name = "<img src=x onerror=alert(1)> & 'Bob' \"B\"",
            Email = "bob@example.com",
            ExternalRef = "<script>x</script>",
        });
        SignInAs(Roles.Viewer);
        var cut = RenderAt("customers");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tbody tr")));

        var row = cut.Find("tbody tr");
        Assert.Empty(row.QuerySelectorAll("img, script"));
        Assert.Contains("<img src=x onerror=alert(1)> & 'Bob' \"B\"", row.QuerySelector("a")!.TextContent);
        Assert.Contains("<script>x</script>", row.TextContent);
        Assert.Equal("Select <img src=x onerror=alert(1)> & 'Bob' \"B\"", row.QuerySelector("input[type=checkbox]")!.GetAttribute("aria-label"));
    }

    [Fact]
    public async Task A_wrong_date_left_in_the_filter_gives_way_to_the_date_of_the_view_opened_next()
    {
        var cut = await ListOfOneAsync();
        DateFilter From() => cut.FindComponents<DateFilter>().Single(d => d.Instance.Label == "Created from").Instance;
        var box = () => cut.FindComponents<DateFilter>().Single(d => d.Instance.Label == "Created from").Find("input");

        await cut.InvokeAsync(() => box().ChangeAsync(new ChangeEventArgs { Value = "not a date" }));
        Assert.Equal("true", box().GetAttribute("aria-invalid"));

        await cut.InvokeAsync(() => Services.GetRequiredService<NavigationManager>().NavigateTo("customers?filter=ge(created_at,2025-02-01)"));
        cut.WaitForAssertion(() => Assert.Equal("2025-02-01", box().GetAttribute("value")));
        Assert.Equal("false", box().GetAttribute("aria-invalid"));
        Assert.Equal(new DateTime(2025, 2, 1), From().Date);
    }

    [Fact]
    public void The_theme_stylesheets_are_MudBlazors_own_made_once_for_the_app()
    {
        var theme = new MudTheme();
        foreach (var dark in new[] { false, true })
        {
            var ours = Render<AppThemeProvider>(p => p.Add(x => x.Theme, theme).Add(x => x.IsDarkMode, dark));
            var mud = Render<MudThemeProvider>(p => p.Add(x => x.Theme, theme).Add(x => x.IsDarkMode, dark));
            Assert.Equal(mud.Markup, ours.Markup);
            Assert.Contains("mud-theme-provider", ours.Markup);
            Assert.True(AppThemeProvider.IsMadeOnce(theme, dark), "the stylesheets come from the process-wide copy, not a new one per render");
        }
    }

    [Fact]
    public async Task Searching_again_for_the_view_on_screen_adds_no_second_history_entry()
    {
        var cut = await ListOfOneAsync();
        var nav = Services.GetRequiredService<Bunit.TestDoubles.BunitNavigationManager>();
        await cut.InvokeAsync(() => cut.Find("form[role=search]").SubmitAsync());
        Assert.True(nav.History.First().Options.ReplaceHistoryEntry, "the same address again replaces the entry");

        await cut.InvokeAsync(() => cut.Find("#search-text").InputAsync(new ChangeEventArgs { Value = "ada" }));
        await cut.InvokeAsync(() => cut.Find("form[role=search]").SubmitAsync());
        Assert.Contains("q=ada", nav.History.First().Uri, StringComparison.Ordinal);
        Assert.False(nav.History.First().Options.ReplaceHistoryEntry, "a new search is a new entry");
    }
}
