using Bunit;
using CommerceManager.Accounts;
using CommerceManager.Components.Pages;
using CommerceManager.Customers;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;

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
        SignInAs(role);

        var cut = Render<ActivityPage>();

        cut.WaitForAssertion(() => Assert.Contains("Henrietta Ledger", cut.Find("[data-testid=activity-table]").TextContent));
        Assert.Equal(staffFilter, cut.FindAll("[data-testid=activity-staff]").Count > 0);
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
