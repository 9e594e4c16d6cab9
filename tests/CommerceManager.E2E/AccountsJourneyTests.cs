using System.Security.Claims;
using CommerceManager.Accounts;
using CommerceManager.Security;
using CommerceManager.Staff;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>
/// Customers and accounts › Accounts, as staff use it: find accounts, open one (its place in the tree, tags, members,
/// purchase history, address book), add one with a member and an address; the Users tab; a Viewer reads without acting.
/// </summary>
public sealed class AccountsJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly ClaimsPrincipal Admin = new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "e2e"));

    [Fact]
    public async Task An_admin_finds_an_account_sees_its_tree_and_history_and_adds_an_account_with_a_member_and_an_address()
    {
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Accounts" }).ClickAsync();
        await page.ExpectUrlAsync("**/accounts");
        await Assertions.Expect(page.GetByTestId("accounts-table")).ToContainTextAsync("Northwind Traders");
        await page.ShotAsync("80-accounts");

        await page.Locator("#account-search").FillAsync("northwind");
        await page.GetByTestId("accounts-search").ClickAsync();
        await Assertions.Expect(page.GetByTestId("accounts-api-filter")).ToHaveTextAsync("like(name,*northwind*)");
        await Assertions.Expect(page.GetByTestId("account-link")).ToHaveCountAsync(3);
        await page.GetByTestId("account-link").Filter(new() { HasText = "Northwind Traders" }).ClickAsync();
        await page.ExpectUrlAsync("**/accounts/*");
        await Assertions.Expect(page.GetByTestId("account-title")).ToHaveTextAsync("Northwind Traders");
        await Assertions.Expect(page.GetByTestId("account-page-tag").Filter(new() { HasText = "Wholesale" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("account-tree-node")).ToHaveCountAsync(2);
        await page.ShotAsync("81-account-overview");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Account members" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("account-members-table").Locator("tbody tr").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Purchase history" }).ClickAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Address book" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("account-address-card")).ToContainTextAsync("Leeds");

        // A branch's page names its parent in the breadcrumb.
        await page.GotoAsync("accounts?filter=" + Uri.EscapeDataString("eq(name,Northwind North)"));
        await page.WaitForCircuitAsync();
        await page.GetByTestId("account-link").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("account-breadcrumbs")).ToContainTextAsync("Northwind Traders");

        // Add an account, then a member with a password, then an address without a county.
        await page.GotoAsync("accounts");
        await page.WaitForCircuitAsync();
        await page.GetByTestId("add-account").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#account-name").FillAsync("Acme Corporation");
        await dialog.Locator("#account-legal-name").FillAsync("Acme Corporation plc");
        await dialog.Locator("#account-registration-id").FillAsync("GB-ACME-1");
        await page.ShotAsync("82-add-account");
        await dialog.GetByTestId("save-account").ClickAsync();
        await Assertions.Expect(page.GetByTestId("account-title")).ToHaveTextAsync("Acme Corporation");

        // The accounts flow's field (demo data): set on the overview, kept after a reload.
        await page.Locator("#custom-account_manager").FillAsync("Mo Farah");
        await page.GetByTestId("save-account-details").ClickAsync();
        await Assertions.Expect(page.GetByText("Changes saved.")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("#custom-account_manager")).ToHaveValueAsync("Mo Farah");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Account members" }).ClickAsync();
        await page.GetByTestId("create-account-member").ClickAsync();
        dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#member-name").FillAsync("Wile E. Coyote");
        await dialog.Locator("#member-email").FillAsync("wile@acme.example");
        await dialog.GetByTestId("member-with-password").ClickAsync();
        await dialog.Locator("#member-password").FillAsync("super genius 2026");
        await dialog.GetByTestId("save-member").ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("account-members-table")).ToContainTextAsync("wile@acme.example");
        await page.ShotAsync("83-account-members");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Address book" }).ClickAsync();
        await page.GetByTestId("add-account-address").ClickAsync();
        dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#address-first-name").FillAsync("Wile");
        await dialog.Locator("#address-last-name").FillAsync("Coyote");
        await dialog.Locator("#address-line1").FillAsync("1 Desert Road");
        await dialog.Locator("#address-region").FillAsync("Arizona");
        await dialog.Locator("#address-postcode").FillAsync("85001");
        await dialog.Locator("#address-country").FillAsync("United States");
        var options = page.Locator(".mud-popover-open .mud-list-item");
        await Assertions.Expect(options.First).ToContainTextAsync("(US)");
        await options.First.ClickAsync();
        await dialog.GetByTestId("save-address").ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("account-address-card")).ToContainTextAsync("1 Desert Road");

        // The member signs in with that password, the way a storefront does.
        var memberId = (await browser.App.Services.GetRequiredService<AccountMemberService>()
            .ListAsync(Admin, new AccountMemberQuery("eq(email,wile@acme.example)"))).Items.Single().Id;
        var profile = (await browser.App.Services.GetRequiredService<AccountMemberService>().ProfilesAsync()).First().Id;
        Assert.Equal(memberId, await browser.App.Services.GetRequiredService<AccountMemberService>().VerifyPasswordAsync(profile, "WILE@acme.example", "super genius 2026"));

        await page.GetByRole(AriaRole.Tab, new() { Name = "History", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("history-entry").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("history-list")).ToContainTextAsync("Address");
        await page.ShotAsync("84-account-history");

        await page.GotoAsync("accounts?tab=users&q=wile");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("users-table")).ToContainTextAsync("Wile E. Coyote");
        // The members the search shows, as a file.
        await page.GetByTestId("users-export-csv").ClickAsync();
        await Assertions.Expect(page.GetByTestId("export-job").GetByTestId("export-download")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("export-job")).ToContainTextAsync("Members export (CSV)");
        await page.GetByTestId("users-table").GetByRole(AriaRole.Link, new() { Name = "Wile E. Coyote" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("member-accounts")).ToContainTextAsync("Acme Corporation");
        await page.ShotAsync("85-account-member");
    }

    [Fact]
    public async Task A_saved_view_of_tagged_accounts_opens_the_accounts_list_when_made_the_default()
    {
        var wholesale = (await browser.App.Services.GetRequiredService<AccountTagService>().ListAsync(Admin)).Single(t => t.Name == "Wholesale");
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync("accounts?filter=" + Uri.EscapeDataString($"contains(account_tags,{wholesale.Id})"));
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("account-link").Filter(new() { HasText = "Northwind Traders" })).ToBeVisibleAsync();
        var tagged = await page.GetByTestId("account-link").CountAsync();

        await page.GetByTestId("save-view").ClickAsync();
        await page.Locator("#view-name").FillAsync("Wholesale accounts");
        await page.GetByTestId("view-default").ClickAsync();
        await page.GetByTestId("save-view-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("view-tab").Filter(new() { HasText = "Wholesale accounts" })).ToHaveAttributeAsync("aria-current", "page");

        // The plain address now opens the view; "All accounts" still shows every one.
        await page.GotoAsync("accounts");
        await page.ExpectUrlAsync("**/accounts?filter=*");
        await Assertions.Expect(page.GetByTestId("account-link")).ToHaveCountAsync(tagged);
        await page.ShotAsync("86-accounts-saved-view");
        await page.GetByTestId("view-all").ClickAsync();
        await Assertions.Expect(page.GetByTestId("account-link").Filter(new() { HasText = "Tailspin Toys" })).ToBeVisibleAsync();

        // Back as it was for the other journeys: the list opens unfiltered again.
        await page.GetByTestId("view-tab").Filter(new() { HasText = "Wholesale accounts" }).ClickAsync();
        await page.GetByTestId("view-actions").ClickAsync();
        await page.GetByTestId("view-undefault").ClickAsync();
        await Assertions.Expect(page.GetByText("The list opens unfiltered again.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_viewer_reads_accounts_but_finds_no_way_to_change_them()
    {
        var staff = browser.App.Services.GetRequiredService<StaffService>();
        await staff.CreateAsync(Admin, new StaffInput { Email = "viewer.accounts@e2e.example", DisplayName = "Vic Viewer", Role = Roles.Viewer, Password = "viewer e2e password 1" });
        var account = (await browser.App.Services.GetRequiredService<AccountService>().ListAsync(Admin, new AccountQuery("eq(name,Contoso Retail)"))).Items.Single();
        var page = await browser.NewPageAsync();
        await page.SignInAsync("viewer.accounts@e2e.example", "viewer e2e password 1");

        await page.GotoAsync("accounts");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("accounts-table")).ToContainTextAsync("Contoso Retail");
        await Assertions.Expect(page.GetByTestId("add-account")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("account-row-menu")).ToHaveCountAsync(0);
        await page.GotoAsync($"accounts/{account.Id}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("account-title")).ToHaveTextAsync("Contoso Retail");
        await Assertions.Expect(page.GetByTestId("save-account-details")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("account-delete-page")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Account members" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("create-account-member")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("remove-membership")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task On_a_phone_the_accounts_list_and_an_account_fit_the_screen_and_dark_mode_reads()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = browser.App.BaseUrl, ViewportSize = new ViewportSize { Width = 390, Height = 844 }, ColorScheme = ColorScheme.Dark,
        });
        var page = await context.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync("accounts");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("accounts-table")).ToContainTextAsync("Northwind Traders");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390, "the accounts list is wider than the phone");
        await page.ShotAsync("86-accounts-phone-dark");
        await page.GetByTestId("account-link").Filter(new() { HasText = "Northwind Traders" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("account-title")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390, "the account page is wider than the phone");
        await page.ShotAsync("87-account-phone-dark");
        await context.CloseAsync();
    }
}
