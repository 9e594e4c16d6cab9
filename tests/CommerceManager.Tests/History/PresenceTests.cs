using Bunit;
using CommerceManager.Customers;
using CommerceManager.Live;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.History;

/// <summary>Who else has a customer open, and a save elsewhere announced to open pages.</summary>
public sealed class PresenceTests : ConsoleTestContext
{
    [Fact]
    public async Task The_presence_bar_shows_the_others_on_the_customer_and_who_is_editing_but_not_the_page_itself()
    {
        var presence = App.Get<PresenceService>();
        var customer = Guid.NewGuid();
        using var mine = presence.Join(customer, "u-me", "Me Myself");
        SignInAs(Roles.Viewer);
        var cut = Render<PresenceBar>(p => p.Add(b => b.CustomerId, customer).Add(b => b.SessionId, mine.Viewer.SessionId));
        Assert.Empty(cut.FindAll("[data-testid=presence-viewer]"));

        using var anna = presence.Join(customer, "u-anna", "Anna Smith");
        cut.WaitForAssertion(() => Assert.Equal("AS", cut.Find("[data-testid=presence-viewer]").TextContent.Trim()));
        Assert.Contains("Anna Smith is viewing this customer", cut.Find(".sr-only").TextContent);

        anna.SetEditing(true);
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=presence-viewer]").GetAttribute("data-editing")));
        Assert.Contains("Anna Smith is editing", cut.Find(".sr-only").TextContent);
        using var other = presence.Join(Guid.NewGuid(), "u-bob", "Bob"); // another customer: not shown here

        anna.Dispose();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=presence-viewer]")));
    }

    [Fact]
    public async Task A_saved_change_is_announced_with_who_made_it_and_the_fields()
    {
        var live = App.Get<LiveBus>();
        var heard = new List<CustomerChanged>();
        live.Changed += heard.Add;
        var customers = App.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        heard.Clear();

        using (CommerceManager.History.ChangeContext.Use(new CommerceManager.History.ChangeActor("staff", "u1", "anna@example.com", "console")))
        {
            await customers.UpdateAsync(As.Admin, ada.Id, new CustomerInput { Name = "Ada King", Email = "ada@example.com" }, ada.Version);
        }
        await customers.UpdateAsync(As.Admin, ada.Id, new CustomerInput { Name = "Ada King", Email = "ada@example.com" }, null); // no change: no notice

        var notice = Assert.Single(heard);
        Assert.Equal((ada.Id, "anna@example.com", "u1"), (notice.CustomerId, notice.Who, notice.ActorId));
        Assert.Equal(["name"], notice.Fields);
    }
}
