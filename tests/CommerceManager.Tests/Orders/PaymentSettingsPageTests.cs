using Bunit;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Orders;

/// <summary>Settings → Payments: an admin turns storefront payments on only after a warning, and off at once.</summary>
public sealed class PaymentSettingsPageTests : ConsoleTestContext
{
    private Task<bool> StoredAsync() => App.Get<GatewayService>().ManualEnabledAsync();

    [Fact]
    public async Task Turning_storefront_payments_on_asks_first_and_cancel_keeps_them_off()
    {
        SignInAs(Roles.Admin);
        var cut = Render<PaymentSettingsPage>();
        cut.WaitForAssertion(() => cut.Find("input[data-testid=storefront-payments]"));

        // The change handler waits for the dialog's answer: click it while the change is still under way.
        var change = cut.Find("input[data-testid=storefront-payments]").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = true });
        Dialogs.WaitForAssertion(() => Assert.Contains("Let storefronts mark orders paid?", Dialogs.Markup));
        await Dialogs.Find("[data-testid=confirm-cancel]").ClickAsync(new());
        await change;

        Assert.False(await StoredAsync());
        Assert.Empty(cut.FindAll("[data-testid=storefront-payments-warning]"));

        // The change handler waits for the dialog's answer: click it while the change is still under way.
        change = cut.Find("input[data-testid=storefront-payments]").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = true });
        Dialogs.WaitForAssertion(() => Dialogs.Find("[data-testid=confirm-ok]"));
        await Dialogs.Find("[data-testid=confirm-ok]").ClickAsync(new());
        await change;

        cut.WaitForAssertion(() => cut.Find("[data-testid=storefront-payments-warning]"));
        Assert.True(await StoredAsync());

        await cut.Find("input[data-testid=storefront-payments]").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = false });
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=storefront-payments-warning]")));
        Assert.False(await StoredAsync());
    }

    [Fact]
    public async Task A_representative_cannot_change_the_gateway()
    {
        await Assert.ThrowsAsync<AccessDeniedException>(() => App.Get<GatewayService>().SetManualEnabledAsync(As.Representative, true));
        Assert.False(await StoredAsync());
    }
}
