using System.Security.Claims;
using Bunit;
using CommerceManager.Customers;
using CommerceManager.Security;
using CommerceManager.Staff;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Views;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Customers;

/// <summary>Saved views above the customers list: tabs, saving the view on screen, the default view, remembered settings.</summary>
public sealed class SavedViewsBarTests : ConsoleTestContext
{
    private ClaimsPrincipal me = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using (var scope = App.Provider.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in Roles.All)
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
        var staff = App.Get<StaffService>();
        await staff.CreateAsync(As.Admin, new StaffInput { Email = "rita@example.com", DisplayName = "Rita", Role = Roles.Representative, Password = "a fine long password" });
        var id = (await staff.ListAsync(As.Admin)).Single(s => s.Email == "rita@example.com").Id;
        me = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "rita@example.com"), new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Role, Roles.Representative)], "test"));
        Auth.SetAuthorized("rita@example.com");
        Auth.SetRoles(Roles.Representative);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, id));
        await App.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada Lovelace", Email = "ada@example.com" });
        await App.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Grace Hopper", Email = "grace@example.com", Password = "a fine long password" });
    }

    private NavigationManager Nav => Services.GetRequiredService<NavigationManager>();

    private IRenderedComponent<CustomerList> RenderAt(string url)
    {
        Nav.NavigateTo(url);
        return Render<CustomerList>();
    }

    [Fact]
    public async Task The_view_on_screen_is_saved_under_a_name_and_becomes_the_current_tab()
    {
        var cut = RenderAt("customers?password=notset&page=1");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tbody tr")));
        // A filtered list: "All customers" is not the current tab.
        Assert.Null(cut.Find("[data-testid=view-all]").GetAttribute("aria-current"));

        // The button's handler waits for the dialog: it completes once the dialog is closed.
        // Found and clicked in one step on the renderer: the list's asynchronous loads may re-render it in between.
        var saving = cut.InvokeAsync(() => cut.Find("[data-testid=save-view]").ClickAsync(new()));
        Dialogs.WaitForAssertion(() => Dialogs.Find("#view-name"));
        Dialogs.Find("#view-name").Input("No password");
        // Not an Admin: no "share with all staff", but "open the list with this view".
        Assert.Empty(Dialogs.FindAll("[data-testid=view-shared]"));
        Assert.Single(Dialogs.FindAll("[data-testid=view-default]"));
        await Dialogs.Find("[data-testid=save-view-confirm]").ClickAsync(new());
        await saving.WaitAsync(TimeSpan.FromSeconds(10));

        var saved = Assert.Single(await App.Get<SavedViewService>().ListAsync(me, ViewLists.Customers));
        Assert.Equal(("No password", "password=notset", false), (saved.Name, saved.Query, saved.Shared));
        cut.WaitForAssertion(() =>
        {
            var tab = cut.Find("[data-testid=view-tab]");
            Assert.Contains("No password", tab.TextContent);
            Assert.Equal("customers?password=notset", tab.GetAttribute("href"));
            Assert.Equal("page", tab.GetAttribute("aria-current"));
        });
    }

    [Fact]
    public async Task Saving_under_a_name_already_used_replaces_that_views_filter()
    {
        await App.Get<SavedViewService>().SaveAsync(me, ViewLists.Customers, "Mine", "q=Ada", false, false);
        var cut = RenderAt("customers?q=Grace");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=view-tab]")));

        // Found and clicked in one step on the renderer: the list's asynchronous loads may re-render it in between.
        var saving = cut.InvokeAsync(() => cut.Find("[data-testid=save-view]").ClickAsync(new()));
        Dialogs.WaitForAssertion(() => Dialogs.Find("#view-name"));
        Dialogs.Find("#view-name").Input("mine");
        Dialogs.WaitForAssertion(() => Assert.Contains("Replace view", Dialogs.Find("[data-testid=save-view-confirm]").TextContent));
        await Dialogs.Find("[data-testid=save-view-confirm]").ClickAsync(new());
        await saving.WaitAsync(TimeSpan.FromSeconds(10));

        var view = Assert.Single(await App.Get<SavedViewService>().ListAsync(me, ViewLists.Customers));
        Assert.Equal(("Mine", "q=Grace"), (view.Name, view.Query));
    }

    [Fact]
    public async Task The_plain_list_opens_the_default_view_and_all_customers_still_shows_everyone()
    {
        var views = App.Get<SavedViewService>();
        await views.SaveAsync(me, ViewLists.Customers, "No password", "password=notset", false, makeDefault: true);

        // The page loads asynchronously (on PostgreSQL truly so): wait for it to move on.
        var plain = RenderAt("customers");
        plain.WaitForAssertion(() => Assert.EndsWith("/customers?password=notset", Nav.Uri, StringComparison.Ordinal));

        var cut = RenderAt("customers?view=all");
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));
        Assert.EndsWith("/customers?view=all", Nav.Uri, StringComparison.Ordinal);
        Assert.Equal("page", cut.Find("[data-testid=view-all]").GetAttribute("aria-current"));
        cut.WaitForAssertion(() => Assert.Contains("your default", cut.Find("[data-testid=view-tab]").TextContent));
    }

    [Fact]
    public async Task The_list_remembers_its_page_size_and_columns_per_staff_member()
    {
        var cut = RenderAt("customers");
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));
        // The menu is its markup until pressed (Faces, Dormant): the press puts the real menu there, open.
        await cut.InvokeAsync(() => cut.Find(".dormant:has([data-testid=columns-menu])").MouseDownAsync(new()));
        Popovers.WaitForAssertion(() => Popovers.Find("[data-testid=column-orders]"));
        await Popovers.Find("[data-testid=column-orders]").ClickAsync(new());
        Assert.Contains("cols=orders", Nav.Uri, StringComparison.Ordinal);

        var again = RenderAt("customers");
        again.WaitForAssertion(() => Assert.EndsWith("/customers?cols=orders", Nav.Uri, StringComparison.Ordinal));
        Assert.Equal("orders", await App.Get<SavedViewService>().RememberedAsync(me, "customers:cols"));
    }
}
