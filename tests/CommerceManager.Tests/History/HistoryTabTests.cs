using Bunit;
using CommerceManager.Customers;
using CommerceManager.History;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.History;

public sealed class HistoryTabTests : ConsoleTestContext
{
    [Fact]
    public async Task The_tab_shows_each_change_newest_first_with_who_and_each_fields_before_and_after()
    {
        var customers = App.Get<CustomerService>();
        CustomerDto ada;
        using (ChangeContext.Use(new ChangeActor(ActorKinds.Staff, "u1", "anna@example.com", ChangeActor.Console)))
        {
            ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
            ada = (await customers.UpdateAsync(As.Admin, ada.Id, new CustomerInput { Name = "Ada King", Email = "ada@example.com" }, ada.Version)).Value!;
        }
        await customers.SetPasswordAsync(As.Admin, ada.Id, "correct horse battery staple", ada.Version);
        SignInAs(Roles.Viewer);

        var cut = Render<HistoryTab>(p => p.Add(t => t.CustomerId, ada.Id));

        cut.WaitForAssertion(() =>
        {
            var entries = cut.FindAll("[data-testid=history-entry]");
            Assert.Equal(3, entries.Count);
            Assert.Contains("Password set", entries[0].TextContent);
            Assert.Contains("the system", entries[0].TextContent);
            Assert.Contains("Customer updated", entries[1].TextContent);
            Assert.Contains("anna@example.com", entries[1].TextContent);
            Assert.Contains("in the console", entries[1].TextContent);
            var row = entries[1].QuerySelector("[data-testid=history-changes] tbody tr")!;
            Assert.Equal(["Name", "Ada", "→", "Ada King"], row.Children.Select(c => c.TextContent.Trim()));
            Assert.Contains("Customer created", entries[2].TextContent);
        });
    }

    [Fact]
    public async Task Filtering_by_kind_narrows_the_timeline_and_an_empty_result_says_so()
    {
        var customers = App.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com", Password = "correct horse battery staple" })).Value!;
        SignInAs(Roles.Viewer);
        var cut = Render<HistoryTab>(p => p.Add(t => t.CustomerId, ada.Id));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=history-entry]").Count));

        await cut.InvokeAsync(() => cut.FindComponents<MudBlazor.MudSelect<string>>()[0].Instance.ValueChanged.InvokeAsync(ChangeKinds.SignIn));
        cut.WaitForAssertion(() => Assert.Equal("Password set", cut.Find("[data-testid=history-entry] [data-testid=history-title]").TextContent.Trim()));
        Assert.Single(cut.FindAll("[data-testid=history-entry]"));

        await cut.InvokeAsync(() => cut.FindComponents<MudBlazor.MudSelect<string>>()[0].Instance.ValueChanged.InvokeAsync(ChangeKinds.Order));
        cut.WaitForAssertion(() => Assert.Contains("No changes match", cut.Find("[data-testid=history-empty]").TextContent));
    }
}
