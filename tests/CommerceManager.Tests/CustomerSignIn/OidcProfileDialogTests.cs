using Bunit;
using CommerceManager.CustomerSignIn;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CommerceManager.Tests.CustomerSignIn;

/// <summary>The provider dialog marks each problem on its own field, like every other form in the console.</summary>
public sealed class OidcProfileDialogTests : ConsoleTestContext
{
    [Fact]
    public async Task Saving_an_empty_provider_marks_each_required_field_and_lists_nothing_on_top()
    {
        SignInAs(Roles.Admin);
        var dialogs = Services.GetRequiredService<IDialogService>();
        await Dialogs.InvokeAsync(() => dialogs.ShowAsync<OidcProfileDialog>("Add provider"));

        await Dialogs.Find("[data-testid=save-provider]").ClickAsync(new());

        Dialogs.WaitForAssertion(() =>
        {
            string HelperOf(string inputId) =>
                Dialogs.Find($"#{inputId}").Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text")?.TextContent ?? "";
            Assert.Contains("A display name is required.", HelperOf("provider-name"));
            Assert.Contains("absolute https URL", HelperOf("provider-discovery"));
            Assert.Contains("The client id is required.", HelperOf("provider-client-id"));
            Assert.Contains("The client secret is required.", HelperOf("provider-client-secret"));
            Assert.Empty(Dialogs.FindAll("[data-testid=provider-errors]"));
        });
        Assert.Empty(await App.Get<OidcProfileService>().ListAsync(enabledOnly: false));
    }
}

/// <summary>A provider whose discovery failed is not shown as working (issue 40, item 10).</summary>
public sealed class RealmProvidersCardTests : ConsoleTestContext
{
    [Fact]
    public async Task An_enabled_provider_whose_discovery_failed_says_it_is_not_working()
    {
        var saved = await App.Get<OidcProfileService>().CreateAsync(As.Admin, new OidcProfileInput
        {
            Name = "Broken IdP", DiscoveryUrl = "https://127.0.0.1:9/", ClientId = "shop", ClientSecret = "secret-0123456789", Enabled = true,
        });
        Assert.NotNull(saved.DiscoveryError);
        SignInAs(Roles.Admin);

        var cut = Render<RealmProviders>();

        cut.WaitForAssertion(() => Assert.Equal("Enabled · not working", cut.Find("[data-testid=provider-state]").TextContent.Trim()));
        Assert.NotEmpty(cut.FindAll("[data-testid=discovery-error]"));
    }
}
