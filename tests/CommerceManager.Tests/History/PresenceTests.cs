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
    public void A_closed_tab_leaves_at_once_and_ones_own_other_tab_is_you()
    {
        var presence = App.Get<PresenceService>();
        var customer = Guid.NewGuid();
        using var mine = presence.Join(customer, "u-me", "Me Myself");
        var closing = new ConsoleTab();
        using var anna = presence.Join(customer, "u-anna", "Anna Smith", closing);
        using var myOther = presence.Join(customer, "u-me", "Me Myself");
        SignInAs(Roles.Viewer);
        var cut = Render<PresenceBar>(p => p.Add(b => b.CustomerId, customer).Add(b => b.SessionId, mine.Viewer.SessionId).Add(b => b.StaffId, "u-me"));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=presence-viewer]").Count));
        Assert.Contains("You, another tab is viewing this customer", cut.Find(".sr-only").TextContent);

        // Anna's tab closes: its connection drops, and she is gone at once (her circuit may live on for minutes).
        closing.Connected(up: false);
        cut.WaitForAssertion(() => Assert.Equal(["You, another tab"], cut.FindAll("[data-testid=presence-viewer]").Select(v => v.GetAttribute("data-name"))));
        // A reconnect (a network blip) brings her back.
        closing.Connected(up: true);
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=presence-viewer]").Count));
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
