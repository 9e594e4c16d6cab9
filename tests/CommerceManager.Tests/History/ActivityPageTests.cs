using Bunit;
using CommerceManager.Accounts;
using CommerceManager.Addresses;
using CommerceManager.ApiKeys;
using CommerceManager.CustomFields;
using CommerceManager.History;
using CommerceManager.Components.Pages;
using CommerceManager.Customers;
using CommerceManager.Security;
using CommerceManager.Staff;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.History;

/// <summary>The Activity page for every staff role (issue 40, item 9); the staff filter only where the staff list may be read.</summary>
public sealed class ActivityPageTests : ConsoleTestContext
{
    [Theory]
    [InlineData(Roles.Viewer, false)]
    [InlineData(Roles.Representative, false)]
    [InlineData(Roles.Admin, true)]
    public async Task Every_staff_role_reads_the_stores_changes(string role, bool staffFilter)
    {
        await App.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Henrietta Ledger", Email = "henrietta@activity.example" });
        await using (var scope = App.Provider.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.RoleManager<Microsoft.AspNetCore.Identity.IdentityRole>>();
            foreach (var name in Roles.All)
            {
                await roles.CreateAsync(new Microsoft.AspNetCore.Identity.IdentityRole(name));
            }
        }
        Assert.True((await App.Get<StaffService>().CreateAsync(As.Admin, new StaffInput
        {
            Email = "ada@activity.example", DisplayName = "Ada", Role = Roles.Representative, Password = "ada's long passphrase 1",
        })).Succeeded);
        SignInAs(role);

        var cut = Render<ActivityPage>();

        cut.WaitForAssertion(() => Assert.Contains("Henrietta Ledger", cut.Find("[data-testid=activity-table]").TextContent));
        // One "who" filter; those who may list staff also pick one staff member in it (by email).
        Assert.Empty(cut.FindAll("[data-testid=activity-staff]"));
        var ada = (await App.Get<StaffService>().ListAsync(As.Admin)).Single(s => s.Email == "ada@activity.example");
        Services.GetRequiredService<NavigationManager>().NavigateTo($"activity?who=staff&staff={ada.Id}");
        cut.WaitForAssertion(() => Assert.Equal(staffFilter ? "ada@activity.example" : "One staff member",
            cut.Find("input[data-testid=activity-who], [data-testid=activity-who] input").GetAttribute("value")));
    }

    [Fact]
    public async Task Settings_changes_are_recorded_with_who_and_what()
    {
        var designer = App.Get<FieldDesigner>();
        var keys = App.Get<ApiKeyService>();
        NewApiKey key;
        using (ChangeContext.Use(new ChangeActor(ActorKinds.Staff, "admin-id", "admin@example.com", ChangeActor.Console)))
        {
            var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
            Assert.True((await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Loyalty tier", Slug = "loyalty_tier" })).IsOk);
            key = await keys.CreateAsync(As.Admin, "Warehouse sync");
        }
        using (ChangeContext.Use(new ChangeActor(ActorKinds.Staff, "ops-id", "ops@example.com", ChangeActor.Console)))
        {
            Assert.True(await keys.RevokeAsync(As.Role(Roles.Admin, "ops@example.com"), key.Key.Id));
        }

        var page = await App.Get<HistoryService>().ActivityAsync(As.Viewer, new HistoryQuery(Kind: ChangeKinds.Settings, Limit: 50));

        Assert.Contains(page.Items, e => e.Title == "Custom field “Loyalty tier” created" && e.Who == "admin@example.com"
            && e.Changes.Any(c => c.Field == "slug" && c.To == "loyalty_tier"));
        Assert.Contains(page.Items, e => e.Title == "API key “Warehouse sync” created" && e.Who == "admin@example.com");
        Assert.Contains(page.Items, e => e.Title == "API key “Warehouse sync” revoked" && e.Who == "ops@example.com");
        Assert.DoesNotContain(page.Items, e => e.Changes.Any(c => c.To?.Contains(key.ClientSecret, StringComparison.Ordinal) == true));

        SignInAs(Roles.Viewer);
        var cut = Render<ActivityPage>();
        cut.WaitForAssertion(() => Assert.Contains("API key “Warehouse sync” revoked", cut.Find("[data-testid=activity-table]").TextContent));
        Assert.Contains(cut.FindAll("[data-testid=activity-table] a"), a => a.TextContent == "Settings" && a.GetAttribute("href") == "settings/api-keys");
    }

    [Fact]
    public async Task A_customer_search_and_a_date_range_narrow_the_changes()
    {
        var customers = App.Get<CustomerService>();
        var ines = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Inès Marchetti", Email = "ines@activity.example" })).Value!;
        await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Oscar Pell", Email = "oscar@activity.example" });
        Assert.True((await App.Get<AddressService>().CreateAsync(As.Admin, ines.Id, new AddressInput
        {
            FirstName = "Inès", LastName = "Marchetti", Line1 = "4 Via Roma", Postcode = "00184", County = "Lazio", Country = "IT", PhoneNumber = "+39 06 1234 5678",
        })).IsOk);
        SignInAs(Roles.Viewer);
        var navigation = Services.GetRequiredService<NavigationManager>();

        // Found by what a caller reads out (her phone number's last digits): her changes only.
        navigation.NavigateTo("activity?customer=5678");
        var cut = Render<ActivityPage>();
        cut.WaitForAssertion(() =>
        {
            var rows = cut.FindAll("[data-testid=activity-row]");
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.Contains("Inès Marchetti", r.TextContent));
        });
        Assert.Contains("1 customer", cut.Find("[data-testid=activity-customer-matches]").TextContent);

        // Yesterday and before: nothing (everything here happened today).
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        navigation.NavigateTo($"activity?to={yesterday}");
        cut.WaitForAssertion(() => Assert.Equal("No changes match these filters.", cut.Find("[data-testid=activity-empty]").TextContent));
        navigation.NavigateTo($"activity?from={yesterday}");
        cut.WaitForAssertion(() => Assert.Contains("Oscar Pell", cut.Find("[data-testid=activity-table]").TextContent));
    }

    [Fact]
    public async Task Changes_to_accounts_and_members_name_and_link_them_and_a_deleted_account_by_its_name()
    {
        var account = (await App.Get<AccountService>().CreateAsync(As.Admin, new AccountInput { Name = "Harbour Supplies" })).Value!;
        var member = (await App.Get<AccountMemberService>().CreateAsync(As.Admin, new AccountMemberInput { Name = "Odile Harbour", Email = "odile@harbour.example" })).Value!;
        var gone = (await App.Get<AccountService>().CreateAsync(As.Admin, new AccountInput { Name = "Closed Wharf Ltd" })).Value!;
        Assert.True((await App.Get<AccountService>().DeleteAsync(As.Admin, gone.Id)).IsOk);
        SignInAs(Roles.Viewer);

        var cut = Render<ActivityPage>();

        cut.WaitForAssertion(() => Assert.Contains("Harbour Supplies", cut.Find("[data-testid=activity-table]").TextContent));
        var links = cut.FindAll("[data-testid=activity-table] a").Select(a => (a.TextContent, a.GetAttribute("href"))).ToList();
        Assert.Contains(("Harbour Supplies", $"accounts/{account.Id}?tab=history"), links);
        Assert.Contains(("Odile Harbour", $"accounts/members/{member.Id}"), links);
        Assert.All(cut.FindAll("[data-testid=deleted-customer]"), d => Assert.Contains("Closed Wharf Ltd", d.TextContent));
        Assert.NotEmpty(cut.FindAll("[data-testid=deleted-customer]"));
    }
}
