using Bunit;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CommerceManager.Tests.Addresses;

public sealed class AddressDialogTests : ConsoleTestContext
{
    private Guid customerId;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        customerId = (await App.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!.Id;
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenAsync(AddressDto? address = null)
    {
        var provider = Dialogs;
        var dialogs = Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<AddressDialog> { { d => d.CustomerId, customerId }, { d => d.Address, address } };
        await provider.InvokeAsync(() => dialogs.ShowAsync<AddressDialog>("Address", parameters));
        return provider;
    }

    [Fact]
    public async Task Saving_an_empty_address_shows_each_required_fields_message_and_saves_nothing()
    {
        SignInAs(Roles.Representative);
        var dialog = await OpenAsync();

        await dialog.Find("[data-testid=save-address]").ClickAsync(new());

        dialog.WaitForAssertion(() =>
        {
            foreach (var message in new[] { "First name is required.", "Last name is required.", "Address line 1 is required.", "Postcode is required.", "County is required.", "Country is required." })
            {
                Assert.Contains(message, dialog.Markup);
            }
        });
        Assert.Equal(0, (await App.Get<AddressService>().ListAsync(As.Viewer, customerId))!.Total);
    }

    [Fact]
    public async Task A_valid_address_is_saved_through_the_address_service()
    {
        SignInAs(Roles.Representative);
        var dialog = await OpenAsync();
        dialog.Find("#address-first-name").Input("Ada");
        dialog.Find("#address-last-name").Input("Lovelace");
        dialog.Find("#address-line1").Input("12 St James's Square");
        dialog.Find("#address-county").Input("Greater London");
        dialog.Find("#address-postcode").Input("SW1Y 4JH");
        var country = dialog.FindComponents<MudAutocomplete<string>>().Single(c => c.Find("input").Id == "address-country");
        await country.InvokeAsync(() => country.Instance.SelectOptionAsync("GB"));

        await dialog.Find("[data-testid=save-address]").ClickAsync(new());

        await dialog.WaitForAssertionAsync(async () =>
        {
            var saved = Assert.Single((await App.Get<AddressService>().ListAsync(As.Viewer, customerId))!.Items);
            Assert.Equal(("Ada", "Lovelace", "GB", "Greater London"), (saved.Postal.FirstName, saved.Postal.LastName, saved.Postal.Country, saved.Postal.County));
        });
    }

    [Fact]
    public async Task Editing_shows_the_current_values()
    {
        var address = (await App.Get<AddressService>().CreateAsync(As.Admin, customerId, AddressServiceTests.Valid("Neighbour"))).Value!;
        SignInAs(Roles.Representative);

        var dialog = await OpenAsync(address);

        Assert.Equal("Ada", dialog.Find("#address-first-name").GetAttribute("value"));
        Assert.Equal("Save address", dialog.Find("[data-testid=save-address]").TextContent.Trim());
    }
}
