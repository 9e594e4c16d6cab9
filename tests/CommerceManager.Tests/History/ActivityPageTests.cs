using Bunit;
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
}
