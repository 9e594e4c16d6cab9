using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Common;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Addresses;

public sealed class AddressServiceTests : IAsyncLifetime
{
    private TestServices services = default!;
    private Guid customerId;
    private AddressService Addresses => services.Get<AddressService>();

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        customerId = (await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada Lovelace", Email = "ada@example.com" })).Value!.Id;
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    public static AddressInput Valid(string? label = "Home") => new()
    {
        Name = label, FirstName = "Ada", LastName = "Lovelace", Line1 = "12 St James's Square", City = "London",
        Postcode = " SW1Y 4JH ", County = "Greater London", Country = "gb", PhoneNumber = "+44 20 7946 0000",
    };

    [Theory]
    [InlineData(nameof(AddressInput.FirstName), "First name is required.")]
    [InlineData(nameof(AddressInput.LastName), "Last name is required.")]
    [InlineData(nameof(AddressInput.Line1), "Address line 1 is required.")]
    [InlineData(nameof(AddressInput.Postcode), "Postcode is required.")]
    [InlineData(nameof(AddressInput.County), "County is required.")]
    [InlineData(nameof(AddressInput.Country), "Country is required.")]
    public async Task Each_missing_required_field_gets_its_own_error(string field, string message)
    {
        var input = Valid();
        typeof(AddressInput).GetProperty(field)!.SetValue(input, "  ");

        var ex = await Assert.ThrowsAsync<ValidationException>(() => Addresses.CreateAsync(As.Representative, customerId, input));

        var error = Assert.Single(ex.Errors);
        Assert.Equal((field, message), (error.PropertyName, error.ErrorMessage));
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("GBR")]
    [InlineData("United Kingdom")]
    public async Task The_country_must_be_an_ISO_3166_alpha_2_code(string country)
    {
        var input = Valid();
        input.Country = country;

        var ex = await Assert.ThrowsAsync<ValidationException>(() => Addresses.CreateAsync(As.Representative, customerId, input));

        Assert.Contains(ex.Errors, e => e.PropertyName == "Country" && e.ErrorMessage.Contains("ISO 3166-1 alpha-2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Overlong_free_text_is_refused()
    {
        var input = Valid();
        input.Instructions = new string('x', 1001);
        input.PhoneNumber = new string('1', 33);

        var ex = await Assert.ThrowsAsync<ValidationException>(() => Addresses.CreateAsync(As.Representative, customerId, input));

        Assert.Contains(ex.Errors, e => e.PropertyName == "Instructions");
        Assert.Contains(ex.Errors, e => e.PropertyName == "PhoneNumber");
    }

    [Fact]
    public async Task A_customer_may_have_any_number_of_addresses_and_values_are_cleaned()
    {
        for (var i = 0; i < 30; i++)
        {
            Assert.True((await Addresses.CreateAsync(As.Representative, customerId, Valid($"Address {i}"))).IsOk);
        }

        var first = await Addresses.ListAsync(As.Viewer, customerId);
        var second = await Addresses.ListAsync(As.Viewer, customerId, offset: 25, limit: 25);

        Assert.Equal(30, first!.Total);
        Assert.Equal(5, second!.Items.Count);
        var a = first.Items[0];
        Assert.Equal(("Address 0", "SW1Y 4JH", "GB", "United Kingdom"), (a.Name, a.Postal.Postcode, a.Postal.Country, a.Postal.CountryName));
    }

    [Fact]
    public async Task Editing_replaces_the_fields_and_a_stale_edit_is_refused()
    {
        var created = (await Addresses.CreateAsync(As.Representative, customerId, Valid())).Value!;
        var edit = Valid("Neighbour");
        edit.Line1 = "14 St James's Square";

        var saved = await Addresses.UpdateAsync(As.Representative, customerId, created.Id, edit, created.Version);
        var stale = await Addresses.UpdateAsync(As.Representative, customerId, created.Id, Valid("Stale"), created.Version);

        Assert.True(saved.IsOk);
        Assert.Equal(OutcomeKind.Conflict, stale.Kind);
        var read = await Addresses.GetAsync(As.Viewer, customerId, created.Id);
        Assert.Equal(("Neighbour", "14 St James's Square"), (read!.Name, read.Postal.Line1));
    }

    [Fact]
    public async Task Deleting_removes_only_that_address()
    {
        var keep = (await Addresses.CreateAsync(As.Representative, customerId, Valid("Keep"))).Value!;
        var drop = (await Addresses.CreateAsync(As.Representative, customerId, Valid("Drop"))).Value!;

        Assert.True(await Addresses.DeleteAsync(As.Representative, customerId, drop.Id));

        var left = await Addresses.ListAsync(As.Viewer, customerId);
        Assert.Equal([keep.Id], left!.Items.Select(a => a.Id));
    }

    [Fact]
    public async Task An_address_is_reached_only_through_its_own_customer()
    {
        var other = (await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Grace", Email = "grace@example.com" })).Value!;
        var address = (await Addresses.CreateAsync(As.Representative, customerId, Valid())).Value!;

        Assert.Null(await Addresses.GetAsync(As.Admin, other.Id, address.Id));
        Assert.Equal(OutcomeKind.NotFound, (await Addresses.UpdateAsync(As.Admin, other.Id, address.Id, Valid(), null)).Kind);
        Assert.False(await Addresses.DeleteAsync(As.Admin, other.Id, address.Id));
        Assert.Null(await Addresses.ListAsync(As.Admin, Guid.NewGuid()));
        Assert.Equal(OutcomeKind.NotFound, (await Addresses.CreateAsync(As.Admin, Guid.NewGuid(), Valid())).Kind);
    }

    [Fact]
    public async Task Viewers_read_addresses_but_cannot_change_them()
    {
        var address = (await Addresses.CreateAsync(As.Representative, customerId, Valid())).Value!;

        Assert.NotNull(await Addresses.GetAsync(As.Viewer, customerId, address.Id));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Addresses.CreateAsync(As.Viewer, customerId, Valid()));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Addresses.UpdateAsync(As.Viewer, customerId, address.Id, Valid(), null));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Addresses.DeleteAsync(As.Viewer, customerId, address.Id));
    }

    [Fact]
    public async Task Deleting_the_customer_deletes_their_addresses()
    {
        await Addresses.CreateAsync(As.Representative, customerId, Valid());

        await services.Get<CustomerService>().DeleteAsync(As.Admin, customerId);

        await using var db = await services.DbAsync();
        Assert.Equal(0, await db.Addresses.CountAsync());
    }
}
